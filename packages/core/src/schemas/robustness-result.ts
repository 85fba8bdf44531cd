import * as z from "zod";

const Extreme = z.object({ emotion: z.string(), r: z.number() }).nullable();

/** One setting of the robustness panel and what the correlation looks like under it. */
export const RobustnessSettingSchema = z.object({
  /** e.g. "reported", "bt-prior-0.1", "sequential-elo", "spearman", "token-offset-50", "layer-2". */
  id: z.string().min(1),
  /** In words, e.g. "Bradley-Terry prior 0.1". */
  label: z.string().min(1),
  /** Whether the setting needed new forward passes of the model (an optional study setting). */
  forwardPasses: z.boolean(),
  /** The most positive and the most negative emotion's r (Spearman's rho for "spearman"). */
  top: Extreme,
  bottom: Extreme,
  /** Emotions with BH q below `fdrAlpha`, of `emotions` with a defined correlation. */
  significant: z.number().int().min(0),
  emotions: z.number().int().min(0),
});
export type RobustnessSetting = z.infer<typeof RobustnessSettingSchema>;

/**
 * `robustness.json`: the correlation's headline under other reasonable analysis choices. The
 * first setting is the reported one (correlations.json as it is).
 */
export const RobustnessResultSchema = z.object({
  fdrAlpha: z.number().gt(0).lt(1),
  permutations: z.number().int().min(0),
  settings: z.array(RobustnessSettingSchema).min(1),
});
export type RobustnessResult = z.infer<typeof RobustnessResultSchema>;
