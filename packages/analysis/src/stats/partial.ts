import { pearson } from "./correlation.js";

/**
 * Partial Pearson correlation of x and y controlling for one covariate z: the correlation of the
 * residuals of x and y after a least-squares fit on z, written in its closed first-order form.
 */
export function partialPearson(x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>): number {
  const rxy = pearson(x, y);
  const rxz = pearson(x, z);
  const ryz = pearson(y, z);
  // A constant covariate explains nothing, so the partial correlation is the plain one.
  if (Number.isNaN(rxz) && Number.isNaN(ryz) && !Number.isNaN(rxy)) return rxy;
  const denominator = Math.sqrt((1 - rxz * rxz) * (1 - ryz * ryz));
  if (!(denominator > 0)) return Number.NaN;
  return (rxy - rxz * ryz) / denominator;
}
