/**
 * Benjamini-Hochberg q-values (step-up, monotone): q_(i) = min over j >= i of p_(j) * m / j,
 * capped at 1. NaN p-values (undefined correlations) are not tests: they keep q = NaN and do not
 * count towards m.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const tested = pValues.map((p, index) => ({ p, index })).filter(({ p }) => !Number.isNaN(p));
  for (const { p, index } of tested)
    if (p < 0 || p > 1) throw new RangeError(`p-value ${index} is ${p}, outside [0, 1]`);
  tested.sort((a, b) => a.p - b.p);
  const m = tested.length;
  const q = pValues.map(() => Number.NaN);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const { p, index } = tested[rank - 1];
    running = Math.min(running, (p * m) / rank);
    q[index] = running;
  }
  return q;
}
