import { createRng, defaultActivities, type ProbeScores } from "@pva/core";
import { describe, expect, it } from "vitest";
import { correlate } from "./correlate.js";
import { preferencesWithElo } from "./preferences-with-elo.test-support.js";
import { midranks, rankedInputs, robustnessRow, withSequentialElo } from "./robustness.js";

describe("robustness panel pieces", () => {
  it("midranks match scipy.stats.rankdata (average method)", () => {
    // scipy.stats.rankdata([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0]) (scipy 1.17.1):
    // [4. , 1.5, 5. , 1.5, 6.5, 9. , 3. , 8. , 6.5]
    expect(midranks([3, 1, 4, 1, 5, 9, 2, 6, 5])).toEqual([4, 1.5, 5, 1.5, 6.5, 9, 3, 8, 6.5]);
  });

  it("Spearman through correlate on ranks: rho as scipy computes it, over the shared activities only", () => {
    const activities = defaultActivities.slice(0, 8);
    // Elo with a tie, and one probe: scipy.stats.spearmanr(probe, elo).statistic (scipy 1.17.1)
    // is 0.9700772721497397, and scipy.stats.rankdata gives the ranks checked below.
    const elo = [1500, 1620, 1380, 1620, 1450, 1700, 1300, 1550];
    const probe = [0.2, 0.9, -0.4, 0.5, 0.1, 1.3, -0.2, 0.3];
    const probes: ProbeScores = {
      model: "m",
      readout: "activity-tokens",
      template: "t",
      emotions: ["calm"],
      // an extra activity without a preference must not take part in the ranking
      activities: [...activities.map((a) => a.id), "unrated"],
      layers: [{ layer: 3, scores: [...probe.map((p) => [p]), [99]] }],
    };
    const ranked = rankedInputs(preferencesWithElo(activities, elo), probes);
    expect(ranked.preferences.activities.map((a) => a.elo)).toEqual([4, 6.5, 2, 6.5, 3, 8, 1, 5]);
    expect(ranked.probes.layers[0].scores.map((row) => row[0])).toEqual([4, 7, 1, 6, 3, 8, 2, 5]);
    const result = correlate(ranked.preferences, ranked.probes, { bootstrap: 0, permutations: 100, seed: 1 });
    expect(result.emotions[0].pearson).toBeCloseTo(0.9700772721497397, 12);
  });

  it("a row names the extremes and counts q below alpha, leaving undefined correlations out", () => {
    const activities = defaultActivities.slice(0, 24);
    const rng = createRng(4);
    const elo = activities.map(() => 1500 + 100 * rng.normal());
    const column = (k: number) => elo.map((e) => k * (e - 1500) + 30 * rng.normal());
    const probes: ProbeScores = {
      model: "m",
      readout: "activity-tokens",
      template: "t",
      emotions: ["up", "down", "flat", "noise"],
      activities: activities.map((a) => a.id),
      layers: [
        {
          layer: 1,
          scores: activities.map((_, i) => [column(1)[i], column(-1)[i], 0, rng.normal()]),
        },
      ],
    };
    const correlations = correlate(preferencesWithElo(activities, elo), probes, {
      bootstrap: 0,
      permutations: 200,
      seed: 2,
    });
    const row = robustnessRow(
      { id: "reported", label: "as reported", forwardPasses: false },
      correlations,
      0.05,
    );
    expect(row.top?.emotion).toBe("up");
    expect(row.bottom?.emotion).toBe("down");
    // "flat" is constant: no correlation, not a test; "noise" has none worth the name.
    expect(row.emotions).toBe(3);
    expect(row.significant).toBe(2);
  });

  it("sequential Elo replaces the Bradley-Terry Elo and nothing else", () => {
    const activities = defaultActivities.slice(0, 3);
    const prefs = preferencesWithElo(activities, [1400, 1500, 1600]);
    const seq = {
      ...prefs,
      activities: prefs.activities.map((a, i) => ({ ...a, eloSequential: [1, 2, 3][i] })),
    };
    expect(withSequentialElo(seq).activities.map((a) => [a.elo, a.eloSequential])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });
});
