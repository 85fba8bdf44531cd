import type { PreferenceScores, Rng } from "@pva/core";
import { percentileInterval } from "./stats/percentile.js";

/** Per-activity Elo change from the baseline, grouped by the half the activity was in. */
export interface SplitDifferences {
  steered: number[];
  control: number[];
}

/** Elo of each activity under the condition minus its baseline Elo, split into steered and control. */
export function eloDifferences(
  baseline: PreferenceScores,
  condition: PreferenceScores,
  steeredIds: ReadonlySet<string>,
): SplitDifferences {
  const before = new Map(baseline.activities.map((a) => [a.id, a.elo]));
  const steered: number[] = [];
  const control: number[] = [];
  for (const { id, elo } of condition.activities) {
    const base = before.get(id);
    if (base === undefined) continue;
    (steeredIds.has(id) ? steered : control).push(elo - base);
  }
  return { steered, control };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * The steering effect over one or more splits: mean Elo change of the steered activities, of the
 * control ones, and their difference (steered - control; Elo is centred, so a push on one half
 * shows as a pull on the other), each averaged over splits. The interval is a percentile bootstrap
 * that resamples activities within each half of each split.
 */
export function eloShift(
  splits: readonly SplitDifferences[],
  opts: { resamples: number; level: number; rng: Rng },
): { steeredShift: number; controlShift: number; shift: number; ci: [number, number] } {
  const steeredShift = mean(splits.map((s) => mean(s.steered)));
  const controlShift = mean(splits.map((s) => mean(s.control)));
  const draws = new Float64Array(opts.resamples);
  const resampledMean = (xs: readonly number[]) => {
    let sum = 0;
    for (let i = 0; i < xs.length; i++) sum += xs[opts.rng.int(xs.length)];
    return sum / xs.length;
  };
  for (let b = 0; b < opts.resamples; b++) {
    let total = 0;
    for (const s of splits) total += resampledMean(s.steered) - resampledMean(s.control);
    draws[b] = total / splits.length;
  }
  const shift = steeredShift - controlShift;
  return {
    steeredShift,
    controlShift,
    shift,
    ci: opts.resamples > 0 ? percentileInterval(draws, opts.level) : [shift, shift],
  };
}
