import type { Outcome } from "./fit/pair-table.js";

/**
 * Mean P(row chosen over column), pooling both presentation orders; null where a pair was never
 * compared. Pooling both orders cancels position bias, as the study's design intends.
 */
export function winMatrix(size: number, outcomes: readonly Outcome[]): (number | null)[][] {
  const wins = new Float64Array(size * size);
  const games = new Float64Array(size * size);
  for (const { first, second, scoreFirst } of outcomes) {
    wins[first * size + second] += scoreFirst;
    games[first * size + second] += 1;
    wins[second * size + first] += 1 - scoreFirst;
    games[second * size + first] += 1;
  }
  const matrix: (number | null)[][] = [];
  for (let i = 0; i < size; i++) {
    const row: (number | null)[] = [];
    for (let j = 0; j < size; j++) {
      const g = games[i * size + j];
      row.push(g > 0 ? wins[i * size + j] / g : null);
    }
    matrix.push(row);
  }
  return matrix;
}

/** Decided triads (all three pairs compared with a clear winner) and how many of them are cyclic. */
export interface TriadCount {
  decided: number;
  cyclic: number;
}

/**
 * Intransitive (cyclic) triads, A > B > C > A, among the decided triads: those whose three pairs
 * were all compared with a clear winner (P != 0.5). A consistent preference order has none.
 * Counted once here, run-wide and per activity (the decided triads it is part of), and written
 * into preferences.json, so the report reads them instead of counting again.
 */
export function intransitiveTriads(matrix: readonly (readonly (number | null)[])[]): {
  all: TriadCount;
  byActivity: TriadCount[];
} {
  const size = matrix.length;
  // beats[i][j] = 1 if i beats j, -1 if j beats i, 0 if tied or never compared
  const beats = new Int8Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const p = matrix[i][j];
      beats[i * size + j] = p === null || p === 0.5 ? 0 : p > 0.5 ? 1 : -1;
    }
  }
  const all = { decided: 0, cyclic: 0 };
  const byActivity = Array.from({ length: size }, () => ({ decided: 0, cyclic: 0 }));
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const ij = beats[i * size + j];
      if (ij === 0) continue;
      for (let k = j + 1; k < size; k++) {
        const jk = beats[j * size + k];
        const ki = beats[k * size + i];
        if (jk === 0 || ki === 0) continue;
        // A cycle goes the same way round all three edges.
        const cyclic = ij === jk && jk === ki ? 1 : 0;
        all.decided++;
        all.cyclic += cyclic;
        for (const member of [i, j, k]) {
          byActivity[member].decided++;
          byActivity[member].cyclic += cyclic;
        }
      }
    }
  }
  return { all, byActivity };
}

/** Share of the decided triads that are cyclic (0 when none is decided). */
export function intransitiveTriadShare(matrix: readonly (readonly (number | null)[])[]): number {
  return triadShare(intransitiveTriads(matrix).all);
}

export function triadShare({ decided, cyclic }: TriadCount): number {
  return decided > 0 ? cyclic / decided : 0;
}

export interface PositionBiasByActivity {
  /** Mean P(first option chosen) over all outcomes. */
  pFirst: number;
  /** Per activity: mean P(first option chosen) over the outcomes it took part in, in either position. */
  pFirstWhenPresent: Float64Array;
}

export function positionBias(size: number, outcomes: readonly Outcome[]): PositionBiasByActivity {
  const sums = new Float64Array(size);
  const counts = new Float64Array(size);
  let total = 0;
  for (const { first, second, scoreFirst } of outcomes) {
    total += scoreFirst;
    sums[first] += scoreFirst;
    sums[second] += scoreFirst;
    counts[first] += 1;
    counts[second] += 1;
  }
  const pFirstWhenPresent = new Float64Array(size);
  for (let i = 0; i < size; i++) pFirstWhenPresent[i] = counts[i] > 0 ? sums[i] / counts[i] : 0.5;
  return { pFirst: outcomes.length > 0 ? total / outcomes.length : 0.5, pFirstWhenPresent };
}
