import { type PreferenceScores, percentileInterval, type Rng } from "@pva/core";

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

/** A steering effect over one or more splits; see `eloShift`. */
export interface EloShift {
  /** Mean Elo change of the steered activities (the headline, comparable to the study's). */
  shift: number;
  ci: [number, number];
  /** Mean Elo change of the control activities. */
  controlShift: number;
  /** shift - controlShift: Elo is centred, so a push on one half shows as a pull on the other. */
  steeredMinusControl: number;
  steeredMinusControlCi: [number, number];
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * The steering effect over one or more splits, each quantity averaged over splits: the steered
 * activities' own mean Elo change (`shift`), the control activities' (`controlShift`) and their
 * difference. The intervals are percentile bootstraps that resample activities within each half
 * of each split (one set of draws for both). What they leave out: the baseline and the steered
 * fits are held fixed, so the tournament's own sampling noise (the Elo CIs of each fit) is not
 * added, and the splits are averaged, not resampled.
 */
export function eloShift(
  splits: readonly SplitDifferences[],
  opts: { resamples: number; level: number; rng: Rng },
): EloShift {
  const shift = mean(splits.map((s) => mean(s.steered)));
  const controlShift = mean(splits.map((s) => mean(s.control)));
  const steeredMinusControl = shift - controlShift;
  const own = new Float64Array(opts.resamples);
  const contrast = new Float64Array(opts.resamples);
  const resampledMean = (xs: readonly number[]) => {
    let sum = 0;
    for (let i = 0; i < xs.length; i++) sum += xs[opts.rng.int(xs.length)];
    return sum / xs.length;
  };
  for (let b = 0; b < opts.resamples; b++) {
    let steeredTotal = 0;
    let contrastTotal = 0;
    for (const s of splits) {
      const steered = resampledMean(s.steered);
      steeredTotal += steered;
      contrastTotal += steered - resampledMean(s.control);
    }
    own[b] = steeredTotal / splits.length;
    contrast[b] = contrastTotal / splits.length;
  }
  const some = opts.resamples > 0;
  return {
    shift,
    ci: some ? percentileInterval(own, opts.level) : [shift, shift],
    controlShift,
    steeredMinusControl,
    steeredMinusControlCi: some
      ? percentileInterval(contrast, opts.level)
      : [steeredMinusControl, steeredMinusControl],
  };
}
