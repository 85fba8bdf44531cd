import type { Rng } from "@pva/core";
import { type BradleyTerryFit, type BradleyTerryOptions, fitBradleyTerry } from "./bradley-terry.js";
import { type PairTable, reweightPairTable } from "./pair-table.js";

export interface BootstrapOptions extends Omit<BradleyTerryOptions, "start"> {
  resamples: number;
  rng: Rng;
}

export interface BradleyTerryBootstrap {
  resamples: number;
  /** strength[r * size + i]: activity i's centred log-strength in resample r. */
  strength: Float64Array;
  positionBias: Float64Array;
  /** Share of outcomes won by the first option, per resample. */
  pFirst: Float64Array;
}

/**
 * Nonparametric bootstrap over ordered pairs: each resample draws the table's ordered pairs with
 * replacement (all answers of a drawn pair travel together) and refits, starting Newton from the
 * full fit, so a resample takes two or three Newton steps.
 */
export function bootstrapBradleyTerry(
  table: PairTable,
  full: BradleyTerryFit,
  opts: BootstrapOptions,
): BradleyTerryBootstrap {
  const pairs = table.count.length;
  const size = table.size;
  const strength = new Float64Array(opts.resamples * size);
  const positionBias = new Float64Array(opts.resamples);
  const pFirst = new Float64Array(opts.resamples);
  const weights = new Float64Array(pairs);
  for (let r = 0; r < opts.resamples; r++) {
    weights.fill(0);
    for (let k = 0; k < pairs; k++) weights[opts.rng.int(pairs)] += 1;
    const resampled = reweightPairTable(table, weights);
    // Newton converges quadratically: once a step is below 1e-5 the remaining error is ~1e-10,
    // so this tolerance saves a step at no cost in precision.
    const fit = fitBradleyTerry(resampled, { tolerance: 1e-5, ...opts, start: full.parameters });
    strength.set(fit.strength, r * size);
    positionBias[r] = fit.positionBias;
    let wins = 0;
    let games = 0;
    for (let k = 0; k < pairs; k++) {
      wins += resampled.winsFirst[k];
      games += resampled.count[k];
    }
    pFirst[r] = games > 0 ? wins / games : Number.NaN;
  }
  return { resamples: opts.resamples, strength, positionBias, pFirst };
}

/** Activity i's bootstrap strengths, one per resample. */
export function strengthSample(boot: BradleyTerryBootstrap, size: number, i: number): Float64Array {
  const out = new Float64Array(boot.resamples);
  for (let r = 0; r < boot.resamples; r++) out[r] = boot.strength[r * size + i];
  return out;
}
