import { percentileInterval, type Rng } from "@pva/core";

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
  const rowCount = rows.length;
  const resamples = opts.resamples;
  const centredY = centre(y);
  // Unit-major layout (all rows' values of unit i side by side), so the inner loop over rows
  // runs over contiguous memory.
  const byUnit = new Float64Array(n * rowCount);
  rows.forEach((row, e) => {
    if (row.length !== n) throw new RangeError(`row has ${row.length} values, y has ${n}`);
    const centred = centre(row);
    for (let i = 0; i < n; i++) byUnit[i * rowCount + e] = centred[i];
  });
  const statistics = new Float64Array(rowCount * resamples);
  const indices = new Int32Array(n);
  const weight = new Float64Array(n);
  const sx = new Float64Array(rowCount);
  const sxx = new Float64Array(rowCount);
  const sxy = new Float64Array(rowCount);
  for (let b = 0; b < resamples; b++) {
    drawIndices(opts.rng, n, indices);
    weight.fill(0);
    for (let i = 0; i < n; i++) weight[indices[i]] += 1;
    sx.fill(0);
    sxx.fill(0);
    sxy.fill(0);
    let sy = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      const w = weight[i];
      if (w === 0) continue;
      const yi = centredY[i];
      sy += w * yi;
      syy += w * yi * yi;
      const offset = i * rowCount;
      for (let e = 0; e < rowCount; e++) {
        const x = byUnit[offset + e];
        const wx = w * x;
        sx[e] += wx;
        sxx[e] += wx * x;
        sxy[e] += wx * yi;
      }
    }
    const varY = syy - (sy * sy) / n;
    for (let e = 0; e < rowCount; e++) {
      const varX = sxx[e] - (sx[e] * sx[e]) / n;
      const cov = sxy[e] - (sx[e] * sy) / n;
      // A resample with a constant side has no correlation; it is dropped from the percentiles.
      // One with two distinct points is exactly +-1, which rounding can push past 1 (1 + 4e-16):
      // clamp, so an interval never leaves [-1, 1].
      statistics[e * resamples + b] =
        varX > 1e-300 && varY > 1e-300 ? Math.max(-1, Math.min(1, cov / Math.sqrt(varX * varY))) : Number.NaN;
    }
  }
  return rows.map((_, e) =>
    percentileInterval(statistics.subarray(e * resamples, (e + 1) * resamples), opts.level),
  );
}

function centre(xs: ArrayLike<number>): Float64Array {
  let mean = 0;
  for (let i = 0; i < xs.length; i++) mean += xs[i];
  mean /= xs.length;
  return Float64Array.from(xs, (x) => x - mean);
}
