import * as z from "zod";
import { IntervalSchema } from "./interval.js";

// No [-1, 1] bound: a computed r can land a rounding error outside it.
const Correlation = z.number();
const Probability = z.number().min(0).max(1);

export const EmotionCorrelationSchema = z.object({
  emotion: z.string(),
  cluster: z.string(),
  pearson: Correlation,
  /** The bootstrap interval of `pearson`; null when analysis.bootstrap is 0 (no resamples, no interval). */
  pearsonCi: IntervalSchema.nullable(),
  spearman: Correlation,
  pPermutation: Probability,
  /** Benjamini-Hochberg adjusted p over all emotions. */
  q: Probability,
  /** Pearson of probe score and Elo controlling for the activity text's lexicon sentiment. */
  partialPearson: Correlation,
  valence: z.number().nullable(),
  /**
   * Set when the correlation is undefined (the probe score or Elo is constant across activities):
   * the row then holds the no-evidence values r = rho = partial r = 0, CI [0, 0], p = q = 1.
   */
  note: z.string().optional(),
});
export type EmotionCorrelation = z.infer<typeof EmotionCorrelationSchema>;

/** `correlations.json`: probe score vs preference (Elo) across activities, per emotion. */
export const CorrelationResultSchema = z.object({
  layer: z.number().int().min(0),
  readout: z.enum(["activity-tokens", "final-token"]),
  activities: z.number().int().min(0),
  bootstrap: z.number().int().min(0),
  permutations: z.number().int().min(0),
  seed: z.number().int(),
  emotions: z.array(EmotionCorrelationSchema),
  /**
   * Does an emotion's correlation track its valence (model PC1 or human norms)? null when that is
   * undefined: no valence, fewer than two emotions with a defined r, or r or valence constant.
   */
  valence: z
    .object({
      source: z.enum(["pc1", "norms"]),
      r: Correlation,
      /** Percentile bootstrap over emotions (each emotion's r and valence together). */
      ci: IntervalSchema,
      n: z.number().int().min(0),
    })
    .nullable(),
  sentiment: z.object({ lexicon: z.string(), scores: z.record(z.string(), z.number()) }),
});
export type CorrelationResult = z.infer<typeof CorrelationResultSchema>;
