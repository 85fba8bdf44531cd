import * as z from "zod";

/** `probes.json`: projection of each activity prompt on each emotion vector, per layer. */
export const ProbeScoresSchema = z.object({
  model: z.string().min(1),
  readout: z.enum(["activity-tokens", "final-token"]),
  template: z.string(),
  emotions: z.array(z.string()),
  activities: z.array(z.string()),
  layers: z.array(
    z.object({
      layer: z.number().int().min(0),
      /** [activity][emotion], in the order of `activities` and `emotions`. */
      scores: z.array(z.array(z.number())),
    }),
  ),
});
export type ProbeScores = z.infer<typeof ProbeScoresSchema>;
