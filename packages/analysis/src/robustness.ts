import type { CorrelationResult, PreferenceScores, ProbeScores, RobustnessSetting } from "@pva/core";

/** What names a robustness setting; the numbers come from its correlations. */
export type RobustnessSettingName = Pick<RobustnessSetting, "id" | "label" | "forwardPasses">;

/**
 * One row of the robustness panel: under a setting, the most positive and the most negative
 * emotion's r, and how many emotions have BH q below `fdrAlpha` (emotions whose correlation is
 * undefined are left out, as correlate leaves them out of the FDR count).
 */
export function robustnessRow(
  setting: RobustnessSettingName,
  correlations: CorrelationResult,
  fdrAlpha: number,
): RobustnessSetting {
  const tested = correlations.emotions.filter((e) => e.note === undefined);
  const byR = [...tested].sort(
    (x, y) => y.pearson - x.pearson || (x.emotion < y.emotion ? -1 : x.emotion > y.emotion ? 1 : 0),
  );
  const extreme = (e: (typeof byR)[number] | undefined) => (e ? { emotion: e.emotion, r: e.pearson } : null);
  return {
    ...setting,
    top: extreme(byR[0]),
    bottom: extreme(byR.at(-1)),
    significant: tested.filter((e) => e.q < fdrAlpha).length,
    emotions: tested.length,
  };
}

/** The same preferences scored by sequential Elo (one pass over the outcomes) instead of Bradley-Terry. */
export function withSequentialElo(preferences: PreferenceScores): PreferenceScores {
  return {
    ...preferences,
    activities: preferences.activities.map((a) => ({ ...a, elo: a.eloSequential })),
  };
}

/** Midranks: rank 1 for the smallest value, tied values sharing the mean of the ranks they span. */
export function midranks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const ranks = new Array<number>(xs.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && xs[order[end]] === xs[order[start]]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Spearman instead of Pearson, with its own interval, permutation p and q: Pearson's r of
 * midranks is Spearman's rho, so correlating the ranks of Elo with the ranks of each emotion's
 * probe scores (over the activities both files share) gives rho through the same machinery.
 */
export function rankedInputs(
  preferences: PreferenceScores,
  probes: ProbeScores,
): { preferences: PreferenceScores; probes: ProbeScores } {
  const elo = new Map(preferences.activities.map((a) => [a.id, a.elo]));
  const rows = probes.activities.flatMap((id, row) => (elo.has(id) ? [{ id, row }] : []));
  const eloRanks = midranks(rows.map(({ id }) => elo.get(id)!));
  const rankOf = new Map(rows.map(({ id }, i) => [id, eloRanks[i]]));
  return {
    preferences: {
      ...preferences,
      activities: preferences.activities
        .filter((a) => rankOf.has(a.id))
        .map((a) => ({ ...a, elo: rankOf.get(a.id)! })),
    },
    probes: {
      ...probes,
      activities: rows.map(({ id }) => id),
      layers: probes.layers.map((layer) => {
        const columns = probes.emotions.map((_, e) => midranks(rows.map(({ row }) => layer.scores[row][e])));
        return { ...layer, scores: rows.map((_, i) => columns.map((column) => column[i])) };
      }),
    },
  };
}
