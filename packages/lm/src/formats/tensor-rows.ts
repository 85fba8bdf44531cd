import type { WeightMatrix } from "../kernels/weight-matrix.js";
import { decodeMatrixRows } from "../weight-codecs/weight-codec.js";

/**
 * Rows [first, first + count) of a tensor as F32 values (count x row length), made when asked.
 * A writer calls it in row order, a chunk at a time, so a tensor that is generated, permuted or
 * gathered from several matrices never has to exist whole in memory.
 */
export type TensorRows = (first: number, count: number) => Float32Array | Promise<Float32Array>;

/**
 * Rows [first, first + count) of a tensor already in its stored type (count x row bytes), made
 * elsewhere (e.g. on worker threads). A writer asks for up to `inFlight` chunks ahead of the one
 * it writes, in row order, so that many are made at once; each is written when its turn comes.
 */
export interface StoredRows {
  storedRows(first: number, count: number): Promise<Uint8Array>;
  inFlight: number;
}

/** The rows of `matrix` in the order `sourceRow(r)` gives (row r of the result is row sourceRow(r) of matrix). */
export function reorderedRows(matrix: WeightMatrix, sourceRow: (row: number) => number): TensorRows {
  return (first, count) => {
    const out = new Float32Array(count * matrix.cols);
    for (let r = 0; r < count; r++) decodeMatrixRows(matrix, sourceRow(first + r), 1, out, r * matrix.cols);
    return out;
  };
}

/** The rows of several matrices with the same columns, one after another (a fused QKV weight). */
export function stackedRows(matrices: readonly WeightMatrix[]): TensorRows {
  return (first, count) => {
    const cols = matrices[0].cols;
    const out = new Float32Array(count * cols);
    for (let r = 0; r < count; r++) {
      let row = first + r;
      let m = 0;
      while (row >= matrices[m].rows) row -= matrices[m++].rows;
      decodeMatrixRows(matrices[m], row, 1, out, r * cols);
    }
    return out;
  };
}
