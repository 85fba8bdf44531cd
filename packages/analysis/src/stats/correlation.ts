import { sampleCorrelation, sampleRankCorrelation } from "simple-statistics";

function toArray(xs: ArrayLike<number>): number[] {
  return Array.from(xs);
}

function checkPaired(x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length)
    throw new RangeError(`paired samples differ in length: ${x.length} vs ${y.length}`);
}

function hasVariance(xs: ArrayLike<number>): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] !== xs[0]) return true;
  return false;
}

/**
 * Pearson's r. NaN when fewer than 3 pairs or either sample is constant: a correlation there is
 * undefined, and NaN flows through the p/q machinery as "no evidence" rather than a fake 0.
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPaired(x, y);
  if (x.length < 3 || !hasVariance(x) || !hasVariance(y)) return Number.NaN;
  return sampleCorrelation(toArray(x), toArray(y));
}

/** Spearman's rho: Pearson's r of midranks (tied values share the mean of the ranks they span). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPaired(x, y);
  if (x.length < 3 || !hasVariance(x) || !hasVariance(y)) return Number.NaN;
  return sampleRankCorrelation(toArray(x), toArray(y));
}
