import * as z from "zod";

/** A confidence interval [low, high]. */
export const IntervalSchema = z
  .tuple([z.number(), z.number()])
  .refine(([low, high]) => low <= high, { error: "expected [low, high] with low <= high" });
export type Interval = z.infer<typeof IntervalSchema>;
