/**
 * Outcomes aggregated per ordered pair: every fit, bootstrap resample and diagnostic works on
 * these sums instead of individual answers, so a resample costs O(pairs), not O(answers).
 */
export interface Outcome {
  /** Index of the activity shown first, as option (A). */
  first: number;
  /** Index of the activity shown second, as option (B). */
  second: number;
  /** Score of the first option: 1 win, 0 loss, 0.5 tie, or a probability (a soft win). */
  scoreFirst: number;
}

export interface PairTable {
  /** Number of activities; indices run 0..size-1. */
  size: number;
  /** Parallel arrays, one entry per distinct ordered pair that has at least one outcome. */
  first: Int32Array;
  second: Int32Array;
  /** Number of outcomes for the ordered pair. */
  count: Float64Array;
  /** Sum of the first option's scores for the ordered pair. */
  winsFirst: Float64Array;
}

export function buildPairTable(size: number, outcomes: readonly Outcome[]): PairTable {
  const slots = new Map<number, number>();
  const first: number[] = [];
  const second: number[] = [];
  const count: number[] = [];
  const winsFirst: number[] = [];
  for (const o of outcomes) {
    if (o.first === o.second) throw new RangeError(`an activity cannot be compared with itself (${o.first})`);
    if (!(o.scoreFirst >= 0 && o.scoreFirst <= 1))
      throw new RangeError(`score ${o.scoreFirst} is not in [0, 1]`);
    const slotKey = o.first * size + o.second;
    let slot = slots.get(slotKey);
    if (slot === undefined) {
      slot = first.length;
      slots.set(slotKey, slot);
      first.push(o.first);
      second.push(o.second);
      count.push(0);
      winsFirst.push(0);
    }
    count[slot] += 1;
    winsFirst[slot] += o.scoreFirst;
  }
  return {
    size,
    first: Int32Array.from(first),
    second: Int32Array.from(second),
    count: Float64Array.from(count),
    winsFirst: Float64Array.from(winsFirst),
  };
}

/** The same ordered pairs, each weighted by how often a bootstrap resample drew it. */
export function reweightPairTable(table: PairTable, weights: ArrayLike<number>): PairTable {
  const count = new Float64Array(table.count.length);
  const winsFirst = new Float64Array(table.count.length);
  for (let k = 0; k < count.length; k++) {
    count[k] = table.count[k] * weights[k];
    winsFirst[k] = table.winsFirst[k] * weights[k];
  }
  return { ...table, count, winsFirst };
}
