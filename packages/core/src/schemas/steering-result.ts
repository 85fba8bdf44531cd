import * as z from "zod";
import { IntervalSchema } from "./interval.js";

export const SteeringEffectSchema = z.object({
  emotion: z.string(),
  strength: z.number(),
  split: z.number().int().min(0),
  /** Mean Elo change of the steered activities. */
  steeredShift: z.number(),
  /** Mean Elo change of the control activities. */
  controlShift: z.number(),
  /** steeredShift - controlShift. */
  shift: z.number(),
  ci: IntervalSchema,
});
export type SteeringEffect = z.infer<typeof SteeringEffectSchema>;

/** `steering.json`: the causal test, Elo shifts when an emotion vector is added on activity tokens. */
export const SteeringResultSchema = z.object({
  layers: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
  splits: z.number().int().min(1),
  effects: z.array(SteeringEffectSchema),
  summary: z.array(
    z.object({
      emotion: z.string(),
      strength: z.number(),
      shift: z.number(),
      ci: IntervalSchema,
      r: z.number().nullable(),
    }),
  ),
  doseResponse: z.array(
    z.object({ emotion: z.string(), strength: z.number(), shift: z.number(), ci: IntervalSchema }),
  ),
  layerSweep: z.array(z.object({ emotion: z.string(), layer: z.number().int().min(0), shift: z.number() })),
  shiftVsR: z
    .object({
      r: z.number(),
      signAgreement: z.number().min(0).max(1),
      n: z.number().int().min(0),
    })
    .nullable(),
  coherence: z.array(
    z.object({ emotion: z.string(), strength: z.number(), activity: z.string(), text: z.string() }),
  ),
});
export type SteeringResult = z.infer<typeof SteeringResultSchema>;
