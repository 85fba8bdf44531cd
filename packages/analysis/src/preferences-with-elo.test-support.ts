import type { Activity, PreferenceScores } from "@pva/core";

/**
 * Preference scores that carry only the given Elo per activity (everything else neutral: no
 * comparisons, no bias, no refusals), for feeding `correlate` a preference of the test's choosing.
 */
export function preferencesWithElo(
  activities: readonly Activity[],
  elo: readonly number[],
): PreferenceScores {
  return {
    model: "synthetic",
    condition: "baseline",
    seed: 1,
    comparisons: 0,
    activities: activities.map((a, i) => ({
      ...a,
      strength: 0,
      elo: elo[i],
      eloCi: [elo[i], elo[i]],
      eloSequential: elo[i],
      comparisons: 0,
      winRate: 0.5,
      pFirstWhenPresent: 0.5,
      refusals: 0,
      unparseable: 0,
    })),
    winMatrix: { ids: [], p: [] },
    diagnostics: {
      pFirst: 0.5,
      pFirstCi: [0.5, 0.5],
      intransitiveTriadShare: 0,
      refusals: 0,
      unparseable: 0,
      meanOffLabelMass: null,
    },
    bootstrap: { resamples: 0, level: 0.95 },
  };
}
