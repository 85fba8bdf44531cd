/**
 * The readable reference matmul: out[r,o] = sum_i x[r,i] * w[o,i] (+ bias[o]).
 *
 * A 2x4 register tile (two rows of x against four rows of w) keeps eight accumulators in
 * registers and reads each loaded x and w value several times; on V8 this is about 4x faster
 * than the naive loop while staying easy to check. Accumulation order within one output is the
 * plain i = 0..inDim-1 sum, so results are reproducible.
 *
 * `w` may hold only the weight rows of output columns [firstColumn, firstColumn + columns) (its
 * row 0 is column firstColumn), so a caller that decodes quantized weights a few rows at a time
 * computes the same sums as one call on the whole decoded matrix.
 */
export function matmulReference(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  rows: number,
  inDim: number,
  outDim: number,
  bias?: Float32Array,
  firstColumn = 0,
  columns = outDim - firstColumn,
): void {
  const end = firstColumn + columns;
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const x0 = r * inDim;
    const x1 = x0 + inDim;
    let o = firstColumn;
    for (; o + 4 <= end; o += 4) {
      const w0 = (o - firstColumn) * inDim;
      const w1 = w0 + inDim;
      const w2 = w1 + inDim;
      const w3 = w2 + inDim;
      let a00 = 0;
      let a01 = 0;
      let a02 = 0;
      let a03 = 0;
      let a10 = 0;
      let a11 = 0;
      let a12 = 0;
      let a13 = 0;
      for (let i = 0; i < inDim; i++) {
        const xa = x[x0 + i];
        const xb = x[x1 + i];
        const wa = w[w0 + i];
        const wb = w[w1 + i];
        const wc = w[w2 + i];
        const wd = w[w3 + i];
        a00 += xa * wa;
        a01 += xa * wb;
        a02 += xa * wc;
        a03 += xa * wd;
        a10 += xb * wa;
        a11 += xb * wb;
        a12 += xb * wc;
        a13 += xb * wd;
      }
      const b0 = bias ? bias[o] : 0;
      const b1 = bias ? bias[o + 1] : 0;
      const b2 = bias ? bias[o + 2] : 0;
      const b3 = bias ? bias[o + 3] : 0;
      const out0 = r * outDim + o;
      const out1 = out0 + outDim;
      out[out0] = a00 + b0;
      out[out0 + 1] = a01 + b1;
      out[out0 + 2] = a02 + b2;
      out[out0 + 3] = a03 + b3;
      out[out1] = a10 + b0;
      out[out1 + 1] = a11 + b1;
      out[out1 + 2] = a12 + b2;
      out[out1 + 3] = a13 + b3;
    }
    for (; o < end; o++) {
      const wo = (o - firstColumn) * inDim;
      out[r * outDim + o] = dot(x, x0, w, wo, inDim) + (bias ? bias[o] : 0);
      out[(r + 1) * outDim + o] = dot(x, x1, w, wo, inDim) + (bias ? bias[o] : 0);
    }
  }
  for (; r < rows; r++) {
    for (let o = firstColumn; o < end; o++) {
      out[r * outDim + o] = dot(x, r * inDim, w, (o - firstColumn) * inDim, inDim) + (bias ? bias[o] : 0);
    }
  }
}

function dot(x: Float32Array, xOffset: number, w: Float32Array, wOffset: number, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += x[xOffset + i] * w[wOffset + i];
  return sum;
}
