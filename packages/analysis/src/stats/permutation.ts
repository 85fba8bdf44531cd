import type { Rng } from "@pva/core";
import { pearson } from "./correlation.js";

export interface PermutationOptions {
  permutations: number;
  /** Draws the shuffles; pass `createRng(seed).fork("permutation")` so p-values reproduce. */
  rng: Rng;
}

/**
 * Relative slack when comparing a permuted |r| with the observed one: permutations that reproduce
 * the observed pairing up to rounding must count as "at least as extreme".
 */
const TIE_TOLERANCE = 1e-12;

/**
 * Two-sided permutation p-value of Pearson's r: shuffle y (the preference scores) against x, count
 * shuffles with |r| at least the observed |r|, and add one to both counts (the observed pairing is
 * itself one of the permutations), so p is never 0 and is valid at any number of shuffles.
 */
export function permutationPValue(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: PermutationOptions,
): number {
  const observed = Math.abs(pearson(x, y));
  if (Number.isNaN(observed)) return Number.NaN;
  const ys = Array.from(y);
  let extreme = 0;
  for (let b = 0; b < opts.permutations; b++) {
    if (Math.abs(pearson(x, opts.rng.shuffle(ys))) >= observed * (1 - TIE_TOLERANCE)) extreme++;
  }
  return (extreme + 1) / (opts.permutations + 1);
}

/**
 * `permutationPValue` for many rows against one y, all rows sharing the same shuffles (the draws
 * equal those of `permutationPValue` with the same rng, so each row's p is identical to the
 * one-at-a-time result). Shuffling y leaves both means and variances unchanged, so with rows and y
 * standardised once, each permuted r is a single dot product.
 */
export function permutationPValues(
  rows: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  opts: PermutationOptions,
): number[] {
  const n = y.length;
  const zy = standardise(y);
  const zRows = rows.map((row) => {
    if (row.length !== n) throw new RangeError(`row has ${row.length} values, y has ${n}`);
    return standardise(row);
  });
  const thresholds = zRows.map((zx) => {
    if (zx === null || zy === null) return Number.NaN;
    let r = 0;
    for (let i = 0; i < n; i++) r += zx[i] * zy[i];
    return Math.abs(r) * (1 - TIE_TOLERANCE);
  });
  const extreme = new Float64Array(rows.length);
  if (zy !== null) {
    // Unit-major layout, so the inner loop over rows runs over contiguous memory.
    const rowCount = rows.length;
    const byUnit = new Float64Array(n * rowCount);
    zRows.forEach((zx, e) => {
      if (zx !== null) for (let i = 0; i < n; i++) byUnit[i * rowCount + e] = zx[i];
    });
    const identity = Array.from({ length: n }, (_, i) => i);
    const r = new Float64Array(rowCount);
    for (let b = 0; b < opts.permutations; b++) {
      const order = opts.rng.shuffle(identity);
      r.fill(0);
      for (let i = 0; i < n; i++) {
        const yi = zy[order[i]];
        const offset = i * rowCount;
        for (let e = 0; e < rowCount; e++) r[e] += byUnit[offset + e] * yi;
      }
      for (let e = 0; e < rowCount; e++) if (Math.abs(r[e]) >= thresholds[e]) extreme[e]++;
    }
  }
  return thresholds.map((t, e) =>
    Number.isNaN(t) ? Number.NaN : (extreme[e] + 1) / (opts.permutations + 1),
  );
}

/** Centred and scaled to unit sum of squares, so that r is a dot product; null for a constant sample. */
function standardise(xs: ArrayLike<number>): Float64Array | null {
  const n = xs.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xs[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i] - mean) ** 2;
  if (!(ss > 0) || n < 3) return null;
  const scale = 1 / Math.sqrt(ss);
  return Float64Array.from(xs, (x) => (x - mean) * scale);
}
