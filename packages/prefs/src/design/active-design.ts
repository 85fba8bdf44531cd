import type { Rng } from "@pva/core";
import { sampleRankCorrelation } from "simple-statistics";
import { fitBradleyTerry } from "../fit/bradley-terry.js";
import { buildPairTable } from "../fit/pair-table.js";
import type { Design, OrderedPair } from "./design.js";

export interface ActiveDesignOptions {
  /** Total ordered comparisons to spend (each chosen pair is asked in both orders, so 2 per pair). */
  budget: number;
  /** How many rounds to spread the budget after the start over. */
  rounds: number;
  rng: Rng;
  /** Comparisons per activity in the random start (rounded up to even: one random cycle per 2). */
  startDegree?: number;
  /** A round "changes nothing" when its ranking has at least this Spearman rho with the last one. */
  stableSpearman?: number;
  /** Stop after this many unchanged rounds in a row. */
  patience?: number;
}

/**
 * Active pair sampling in the manner of utility-elicitation toolkits: a sparse random start in
 * which every activity meets at least two others (random Hamiltonian cycles, so the comparison
 * graph is connected), then rounds that fit Bradley-Terry to everything so far and ask, for the
 * least-compared activities first, the not-yet-asked partner with the smallest estimated gap
 * (the comparisons whose outcome is least certain). It stops at the budget or when the ranking
 * stops changing.
 */
export function createActiveDesign(size: number, opts: ActiveDesignOptions): Design {
  const startDegree = Math.max(2, opts.startDegree ?? 2);
  const stableSpearman = opts.stableSpearman ?? 0.998;
  const patience = opts.patience ?? 2;
  const asked = new Set<number>();
  const degree = new Int32Array(size);
  const tieBreak = opts.rng.fork("tie-break").shuffle([...Array(size).keys()]);
  let issued = 0;
  let round = 0;
  let previous: Float64Array | null = null;
  let stableRounds = 0;
  let stoppedStable = false;

  const keyOf = (i: number, j: number) => (i < j ? i * size + j : j * size + i);
  const take = (i: number, j: number, batch: OrderedPair[]) => {
    asked.add(keyOf(i, j));
    degree[i]++;
    degree[j]++;
    issued += 2;
    batch.push({ a: i, b: j }, { a: j, b: i });
  };

  const start = (): OrderedPair[] => {
    const batch: OrderedPair[] = [];
    const startRng = opts.rng.fork("start");
    for (let cycle = 0; cycle < Math.ceil(startDegree / 2); cycle++) {
      const order = startRng.shuffle([...Array(size).keys()]);
      for (let k = 0; k < size; k++) {
        const i = order[k];
        const j = order[(k + 1) % size];
        if (i !== j && !asked.has(keyOf(i, j)) && issued + 2 <= opts.budget) take(i, j, batch);
      }
    }
    return batch;
  };
  const startCost = Math.min(opts.budget, size * 2 * Math.ceil(startDegree / 2));
  const perRound = Math.max(2, 2 * Math.floor((opts.budget - startCost) / opts.rounds / 2));

  const allPairs = size * (size - 1);
  const count = (n: number) => n.toLocaleString("en-US");
  return {
    plannedComparisons: Math.min(opts.budget, allPairs),
    stopReason() {
      if (stoppedStable)
        return `ranking stable for ${patience} rounds after ${count(issued)} of ${count(opts.budget)} comparisons`;
      if (opts.budget > allPairs && issued === allPairs)
        return `all ${count(allPairs)} ordered pairs asked, fewer than the budget of ${count(opts.budget)}`;
      // Each pair is asked in both orders, so an odd budget leaves one comparison unspent.
      if (issued < Math.min(opts.budget, allPairs) - 1)
        return `no pair left to ask after ${count(issued)} of ${count(opts.budget)} comparisons`;
      return null;
    },
    next(outcomes) {
      if (round++ === 0) return start();
      const fit = fitBradleyTerry(buildPairTable(size, outcomes), { prior: 0.5, positionBias: true });
      if (previous) {
        const rho = sampleRankCorrelation(Array.from(previous), Array.from(fit.strength));
        stableRounds = rho >= stableSpearman ? stableRounds + 1 : 0;
      }
      previous = fit.strength;
      if (stableRounds >= patience) {
        stoppedStable = true;
        return [];
      }
      let quota = Math.floor(Math.min(perRound, opts.budget - issued) / 2);
      const batch: OrderedPair[] = [];
      const usedThisRound = new Set<number>();
      const byNeed = [...tieBreak].sort((x, y) => degree[x] - degree[y]);
      for (const allowReuse of [false, true]) {
        for (const i of byNeed) {
          if (quota === 0) break;
          if (!allowReuse && usedThisRound.has(i)) continue;
          let best = -1;
          let bestGap = Number.POSITIVE_INFINITY;
          for (const j of tieBreak) {
            if (j === i || asked.has(keyOf(i, j)) || (!allowReuse && usedThisRound.has(j))) continue;
            const gap = Math.abs(fit.strength[i] - fit.strength[j]);
            if (gap < bestGap) {
              bestGap = gap;
              best = j;
            }
          }
          if (best < 0) continue;
          take(i, best, batch);
          usedThisRound.add(i);
          usedThisRound.add(best);
          quota--;
        }
      }
      return batch;
    },
  };
}
