import { createRng, type PreferenceScores } from "@pva/core";
import { describe, expect, it } from "vitest";
import { eloDifferences, eloShift } from "./elo-shift.js";
import { preferencesWithElo } from "./preferences-with-elo.test-support.js";

function scores(elo: Record<string, number>): PreferenceScores {
  const activities = Object.keys(elo).map((id) => ({ id, text: id, category: "Neutral" as const }));
  return preferencesWithElo(activities, Object.values(elo));
}

describe("Elo shift", () => {
  it("compares each activity with its baseline Elo, by half", () => {
    const baseline = scores({ a: 1500, b: 1600, c: 1400, d: 1500 });
    const steered = scores({ a: 1600, b: 1650, c: 1350, d: 1400 });
    expect(eloDifferences(baseline, steered, new Set(["a", "b"]))).toEqual({
      steered: [100, 50],
      control: [-50, -100],
    });
  });

  it("headlines the steered half's own change and keeps steered - control beside it", () => {
    const splits = [
      { steered: [100, 50], control: [-50, -100] },
      { steered: [80, 60, 70], control: [-40, -60] },
    ];
    const result = eloShift(splits, { resamples: 2000, level: 0.95, rng: createRng(1) });
    // Split means: steered 75 and 70, control -75 and -50.
    expect(result.shift).toBeCloseTo(72.5, 12);
    expect(result.controlShift).toBeCloseTo(-62.5, 12);
    expect(result.steeredMinusControl).toBeCloseTo(135, 12);
    // No resample can leave the extremes: the steered means lie in [50, 100] and [60, 80], so
    // their average in [55, 90]; the contrasts in [100, 200] and [100, 140], so in [100, 170].
    expect(result.ci[0]).toBeGreaterThanOrEqual(55);
    expect(result.ci[1]).toBeLessThanOrEqual(90);
    expect(result.ci[0]).toBeLessThan(result.shift);
    expect(result.ci[1]).toBeGreaterThan(result.shift);
    expect(result.steeredMinusControlCi[0]).toBeGreaterThanOrEqual(100);
    expect(result.steeredMinusControlCi[1]).toBeLessThanOrEqual(170);
    expect(eloShift(splits, { resamples: 2000, level: 0.95, rng: createRng(1) })).toEqual(result);
  });

  it("gives the exact percentile interval where the resampling distribution is known", () => {
    // One split, steered [100, 50]: a resampled mean is 50, 75 or 100 with chances 1/4, 1/2, 1/4,
    // so the 2.5th and 97.5th percentiles are 50 and 100. The control half [0, 0] never moves, so
    // the contrast's interval is the same.
    const result = eloShift([{ steered: [100, 50], control: [0, 0] }], {
      resamples: 4000,
      level: 0.95,
      rng: createRng(3),
    });
    expect(result.ci).toEqual([50, 100]);
    expect(result.steeredMinusControlCi).toEqual([50, 100]);
    // Without resamples the interval collapses onto the estimate.
    expect(
      eloShift([{ steered: [100, 50], control: [0, 0] }], { resamples: 0, level: 0.95, rng: createRng(3) })
        .ci,
    ).toEqual([75, 75]);
  });
});
