/** Cyclic triads among the decided triads an activity belongs to. */
export interface ActivityTriads {
  triads: number;
  cyclic: number;
}

/**
 * Per activity, how many of the triads it is part of are intransitive (A > B > C > A), with the
 * definition prefs uses for the run-wide share: a triad counts when all three pairs were compared
 * with a clear winner (P != 0.5). Pinpoints which activities the model ranks inconsistently.
 */
export function intransitiveTriadsByActivity(p: readonly (readonly (number | null)[])[]): ActivityTriads[] {
  const size = p.length;
  const beats = new Int8Array(size * size);
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) {
      const value = p[i][j];
      beats[i * size + j] = value === null || value === 0.5 ? 0 : value > 0.5 ? 1 : -1;
    }
  const result = Array.from({ length: size }, () => ({ triads: 0, cyclic: 0 }));
  for (let i = 0; i < size; i++)
    for (let j = i + 1; j < size; j++) {
      const ij = beats[i * size + j];
      if (ij === 0) continue;
      for (let k = j + 1; k < size; k++) {
        const jk = beats[j * size + k];
        const ki = beats[k * size + i];
        if (jk === 0 || ki === 0) continue;
        const isCyclic = ij === jk && jk === ki ? 1 : 0;
        for (const member of [i, j, k]) {
          result[member].triads++;
          result[member].cyclic += isCyclic;
        }
      }
    }
  return result;
}
