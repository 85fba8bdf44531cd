import * as z from "zod";

/**
 * Human valence/arousal ratings the user supplies for some emotion words (e.g. a published norms
 * dataset). pva never invents these numbers; the scale is the source's own.
 */
export const HumanNormsSchema = z.object({
  source: z.string().min(1, { error: "expected a non-empty source (where the ratings come from)" }),
  norms: z
    .array(
      z.object({
        emotion: z.string().min(1),
        valence: z.number().optional(),
        arousal: z.number().optional(),
      }),
    )
    .min(1),
});
export type HumanNorms = z.infer<typeof HumanNormsSchema>;
