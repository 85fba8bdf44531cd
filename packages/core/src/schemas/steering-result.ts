import * as z from "zod";
import { IntervalSchema } from "./interval.js";

/**
 * One steering effect. `shift` is the headline: the steered activities' own mean Elo change
 * (steered condition minus the unsteered baseline), the quantity the study reports (blissful
 * +212, hostile -303). Elo is centred, so a push on the steered half also shows as a pull on the
 * control half; `steeredMinusControl` (about twice `shift`) is that contrast, kept beside it.
 */
const ShiftSchema = z.object({
  /** Mean Elo change of the steered activities (steered condition - baseline). */
  shift: z.number(),
  /** Percentile bootstrap interval of `shift`: steered activities resampled within each split. */
  ci: IntervalSchema,
  /** Mean Elo change of the control activities. */
  controlShift: z.number(),
  /** shift - controlShift. */
  steeredMinusControl: z.number(),
  /** Its interval: activities resampled within each half of each split. */
  steeredMinusControlCi: IntervalSchema,
});

export const SteeringEffectSchema = z.object({
  emotion: z.string(),
  strength: z.number(),
  split: z.number().int().min(0),
  ...ShiftSchema.shape,
});
export type SteeringEffect = z.infer<typeof SteeringEffectSchema>;

/**
 * The unit of strength, stated once: strength s adds `s x meanResidNorm[L]` along the emotion's
 * unit vector at each steered layer L (the mean L2 norm of the residual after block L over the
 * same story texts and token window the vectors were read from).
 */
export const SteeringDoseSchema = z.object({
  /** One layer, or a range of layers each getting its own `s x norm`. */
  mode: z.enum(["layer", "range"]),
  /** Mean residual norm at each steered layer (the unit), keyed by layer. */
  meanResidNorm: z.record(z.string(), z.number().positive()),
  /** Per strength: the total norm added along the vector over all steered layers. */
  strengths: z.array(
    z.object({
      strength: z.number(),
      /** sum over steered layers of |s| x norm(L). */
      totalAddedNorm: z.number().min(0),
      /** totalAddedNorm / norm at the last steered layer: the push the last layer's residual sees. */
      relativeToLastLayerNorm: z.number().min(0),
    }),
  ),
});
export type SteeringDose = z.infer<typeof SteeringDoseSchema>;

/** `steering.json`: the causal test, Elo shifts when an emotion vector is added on activity tokens. */
export const SteeringResultSchema = z.object({
  layers: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
  splits: z.number().int().min(1),
  dose: SteeringDoseSchema,
  effects: z.array(SteeringEffectSchema),
  /** One row per emotion at the headline (first) strength, pooled over splits. */
  summary: z.array(
    z.object({
      emotion: z.string(),
      strength: z.number(),
      ...ShiftSchema.shape,
      r: z.number().nullable(),
    }),
  ),
  doseResponse: z.array(
    z.object({ emotion: z.string(), strength: z.number(), shift: z.number(), ci: IntervalSchema }),
  ),
  /** Each listed layer steered alone at the headline strength, over all splits. */
  layerSweep: z.array(
    z.object({ emotion: z.string(), layer: z.number().int().min(0), shift: z.number(), ci: IntervalSchema }),
  ),
  /**
   * Across emotions: the headline shift against the probe-preference r. `ci` is a percentile
   * bootstrap over emotions; `p` a two-sided permutation p that shuffles r across emotions.
   * `signAgreement` counts the emotions whose shift has the sign of their r (a zero shift or r
   * agrees with nothing), as the replication reports it ("k of n emotions").
   */
  shiftVsR: z
    .object({
      r: z.number(),
      ci: IntervalSchema,
      p: z.number().min(0).max(1),
      resamples: z.number().int().min(0),
      signAgreement: z.object({ agree: z.number().int().min(0), of: z.number().int().min(0) }),
      n: z.number().int().min(0),
    })
    .nullable(),
  coherence: z.array(
    z.object({ emotion: z.string(), strength: z.number(), activity: z.string(), text: z.string() }),
  ),
});
export type SteeringResult = z.infer<typeof SteeringResultSchema>;
