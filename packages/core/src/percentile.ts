/**
 * The q-quantile of ascending-sorted values by linear interpolation between order statistics
 * (Hyndman-Fan type 7, numpy's and scipy.stats.bootstrap's default), so our percentile intervals
 * are the ones a Python reader would compute from the same resamples.
 */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** The central `level` interval of a sample of statistics; NaN entries (degenerate resamples) are left out. */
export function percentileInterval(values: ArrayLike<number>, level: number): [number, number] {
  const finite = Float64Array.from(
    Array.prototype.filter.call(values, (v: number) => !Number.isNaN(v)) as number[],
  );
  finite.sort();
  const tail = (1 - level) / 2;
  return [percentileSorted(finite, tail), percentileSorted(finite, 1 - tail)];
}
