/** Rows of a [rows, hidden] matrix scaled to unit length (a zero row stays zero). */
export function unitRows(matrix: Float32Array, hidden: number): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let r = 0; r < matrix.length / hidden; r++) {
    const row = Float64Array.from(matrix.subarray(r * hidden, (r + 1) * hidden));
    const norm = Math.hypot(...row);
    rows.push(norm > 0 ? row.map((v) => v / norm) : row);
  }
  return rows;
}
