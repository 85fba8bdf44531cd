import type { Rng } from "@pva/core";
import { percentileInterval } from "./percentile.js";

export interface BootstrapOptions {
  resamples: number;
  /** Central coverage of the interval, e.g. 0.95. */
  level: number;
  /** Draws the resampled indices; pass `createRng(seed).fork("bootstrap")` so intervals reproduce. */
  rng: Rng;
}

/** One resample of `n` units drawn with replacement: index draws in order, n per resample. */
function drawIndices(rng: Rng, n: number, into: Int32Array): void {
  for (let i = 0; i < n; i++) into[i] = rng.int(n);
}

/**
 * Percentile bootstrap interval of any statistic of `n` paired units (activities): each resample
 * draws n indices with replacement and hands them to `statistic`.
 */
export function bootstrapCi(
  n: number,
  statistic: (indices: Int32Array) => number,
  opts: BootstrapOptions,
): [number, number] {
  const indices = new Int32Array(n);
  const values = new Float64Array(opts.resamples);
  for (let b = 0; b < opts.resamples; b++) {
    drawIndices(opts.rng, n, indices);
    values[b] = statistic(indices);
  }
  return percentileInterval(values, opts.level);
}

/**
 * Percentile bootstrap intervals of Pearson's r of each row of `rows` against `y`, all rows
 * sharing the same resamples of the units. The draws are exactly those of `bootstrapCi` with the
 * same rng, so row e's interval equals `bootstrapCi(n, idx => pearson(rows[e][idx], y[idx]), opts)`.
 *
 * Speed: a resample is a vector of multiplicities w, and r needs only the weighted sums
 * Σw·x, Σw·x², Σw·x·y per row (the y sums once per resample), over the ~63% of units drawn at least
 * once. Rows and y are centred first so the one-pass sums do not cancel catastrophically.
 */
export function bootstrapPearsonCis(
  rows: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  opts: BootstrapOptions,
): [number, number][] {
  const n = y.length;
  const centredY = centre(y);
  const centredRows = rows.map((row) => {
    if (row.length !== n) throw new RangeError(`row has ${row.length} values, y has ${n}`);
    return centre(row);
  });
  const statistics = rows.map(() => new Float64Array(opts.resamples));
  const indices = new Int32Array(n);
  const weight = new Float64Array(n);
  const drawn = new Int32Array(n);
  const weightOf = new Float64Array(n);
  const yOf = new Float64Array(n);
  for (let b = 0; b < opts.resamples; b++) {
    drawIndices(opts.rng, n, indices);
    weight.fill(0);
    for (let i = 0; i < n; i++) weight[indices[i]] += 1;
    let m = 0;
    let sy = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      const w = weight[i];
      if (w === 0) continue;
      drawn[m] = i;
      weightOf[m] = w;
      yOf[m] = centredY[i];
      sy += w * centredY[i];
      syy += w * centredY[i] * centredY[i];
      m++;
    }
    const varY = syy - (sy * sy) / n;
    for (let e = 0; e < centredRows.length; e++) {
      const x = centredRows[e];
      let sx = 0;
      let sxx = 0;
      let sxy = 0;
      for (let k = 0; k < m; k++) {
        const wx = weightOf[k] * x[drawn[k]];
        sx += wx;
        sxx += wx * x[drawn[k]];
        sxy += wx * yOf[k];
      }
      const varX = sxx - (sx * sx) / n;
      const cov = sxy - (sx * sy) / n;
      // A resample with a constant side has no correlation; it is dropped from the percentiles.
      statistics[e][b] = varX > 1e-300 && varY > 1e-300 ? cov / Math.sqrt(varX * varY) : Number.NaN;
    }
  }
  return statistics.map((values) => percentileInterval(values, opts.level));
}

function centre(xs: ArrayLike<number>): Float64Array {
  let mean = 0;
  for (let i = 0; i < xs.length; i++) mean += xs[i];
  mean /= xs.length;
  return Float64Array.from(xs, (x) => x - mean);
}
