import type { Rng } from "@pva/core";
import type { OrderedPair } from "./design/design.js";
import type { Outcome } from "./fit/pair-table.js";

export interface SimulatedChoiceOptions {
  rng: Rng;
  /** True log-odds advantage of the first option. */
  positionBias?: number;
  /** Per-prompt noise on the log-odds (s.d.): a model's answer depends on wording, not only utility. */
  promptNoise?: number;
  /** "soft": the outcome is the probability (a logits readout); "hard": one sampled choice. */
  kind?: "soft" | "hard";
}

/**
 * Outcomes drawn from known Bradley-Terry utilities: the ground truth the fits and designs are
 * tested and benchmarked against. P(first chosen) = sigmoid(u_a - u_b + bias + noise).
 */
export function simulateChoices(
  utilities: ArrayLike<number>,
  pairs: readonly OrderedPair[],
  opts: SimulatedChoiceOptions,
): Outcome[] {
  const bias = opts.positionBias ?? 0;
  const noise = opts.promptNoise ?? 0;
  return pairs.map(({ a, b }) => {
    const logit = utilities[a] - utilities[b] + bias + (noise > 0 ? noise * opts.rng.normal() : 0);
    const p = 1 / (1 + Math.exp(-logit));
    const scoreFirst = opts.kind === "hard" ? (opts.rng.float() < p ? 1 : 0) : p;
    return { first: a, second: b, scoreFirst };
  });
}
