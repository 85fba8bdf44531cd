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

  it("averages over splits and brackets the shift with a bootstrap interval", () => {
    const splits = [
      { steered: [100, 50], control: [-50, -100] },
      { steered: [80, 60, 70], control: [-40, -60] },
    ];
    const result = eloShift(splits, { resamples: 2000, level: 0.95, rng: createRng(1) });
    expect(result.steeredShift).toBeCloseTo((75 + 70) / 2, 12);
    expect(result.controlShift).toBeCloseTo((-75 + -50) / 2, 12);
    expect(result.shift).toBeCloseTo(72.5 + 62.5, 12);
    expect(result.ci[0]).toBeLessThan(result.shift);
    expect(result.ci[1]).toBeGreaterThan(result.shift);
    // No resample can leave the extremes: split 1 spans 50 - (-50) = 100 to 100 - (-100) = 200,
    // split 2 spans 60 - (-40) = 100 to 80 - (-60) = 140, so their mean lies in [100, 170].
    expect(result.ci[0]).toBeGreaterThanOrEqual(100);
    expect(result.ci[1]).toBeLessThanOrEqual(170);
    expect(eloShift(splits, { resamples: 2000, level: 0.95, rng: createRng(1) })).toEqual(result);
  });
});
