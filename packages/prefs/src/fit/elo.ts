import type { Rng } from "@pva/core";
import type { Outcome } from "./pair-table.js";

export const ELO_MEAN = 1500;
/** 400 Elo points are 10:1 odds. */
export const ELO_PER_LOG_ODDS = 400 / Math.LN10;

/** Elo on the study's scale from Bradley-Terry log-strengths (mean 0 -> mean 1500). */
export function eloFromStrength(strength: number): number {
  return ELO_MEAN + ELO_PER_LOG_ODDS * strength;
}

export interface SequentialEloOptions {
  rng: Rng;
  /** How many shuffled orders to average over. */
  orders?: number;
  /** Elo K-factor: the largest change one game can make. */
  kFactor?: number;
}

/**
 * Elo the way the original study computed it: play the outcomes one after another, updating
 * both ratings after each, and average the final ratings over many seeded shuffled orders
 * (a single order makes the result depend on which games happened to come last).
 */
export function sequentialElo(
  size: number,
  outcomes: readonly Outcome[],
  opts: SequentialEloOptions,
): Float64Array {
  const orders = opts.orders ?? 100;
  const kFactor = opts.kFactor ?? 32;
  const mean = new Float64Array(size);
  const rating = new Float64Array(size);
  for (let o = 0; o < orders; o++) {
    rating.fill(ELO_MEAN);
    for (const game of opts.rng.shuffle(outcomes)) {
      const expected = 1 / (1 + 10 ** ((rating[game.second] - rating[game.first]) / 400));
      const change = kFactor * (game.scoreFirst - expected);
      rating[game.first] += change;
      rating[game.second] -= change;
    }
    for (let i = 0; i < size; i++) mean[i] += rating[i] / orders;
  }
  return mean;
}
