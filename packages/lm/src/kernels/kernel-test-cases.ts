/**
 * Shared fixtures for the kernel tests: deterministic inputs, shapes, and a float64 matmul that every
 * backend is checked against.
 */

/** A deterministic, irregular fill in [-1, 1) (a Weyl sequence, so no two neighbours repeat). */
export function filledF32(target: Float32Array, salt: number): Float32Array {
  const step = 0.6180339887498949;
  for (let i = 0; i < target.length; i++) {
    const u = ((i + 1) * step + salt * 0.7548776662466927) % 1;
    target[i] = 2 * u - 1;
  }
  return target;
}

/** out[r,o] = sum_i x[r,i]*w[o,i] (+bias[o]) accumulated in float64. */
export function matmulFloat64(
  x: Float32Array,
  w: Float32Array,
  rows: number,
  inDim: number,
  outDim: number,
  bias?: Float32Array,
): Float64Array {
  const out = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outDim; o++) {
      let sum = bias ? bias[o] : 0;
      for (let i = 0; i < inDim; i++) sum += x[r * inDim + i] * w[o * inDim + i];
      out[r * outDim + o] = sum;
    }
  }
  return out;
}

/**
 * Largest error relative to the scale of the terms summed (sum of |x*w|), which is what float32
 * rounding error is proportional to; a plain relative error blows up where a sum cancels to ~0.
 */
export function maxScaledError(
  got: Float32Array,
  want: Float64Array,
  x: Float32Array,
  w: Float32Array,
  rows: number,
  inDim: number,
  outDim: number,
): number {
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outDim; o++) {
      let scale = 0;
      for (let i = 0; i < inDim; i++) scale += Math.abs(x[r * inDim + i] * w[o * inDim + i]);
      const err = Math.abs(got[r * outDim + o] - want[r * outDim + o]) / Math.max(scale, 1e-30);
      if (err > worst) worst = err;
    }
  }
  return worst;
}

/** Shapes that hit every tail path: rows and columns not multiples of the tiles, inDim not of 4. */
export const MATMUL_SHAPES: readonly { rows: number; inDim: number; outDim: number }[] = [
  { rows: 1, inDim: 1, outDim: 1 },
  { rows: 1, inDim: 576, outDim: 1536 },
  { rows: 3, inDim: 7, outDim: 5 },
  { rows: 5, inDim: 64, outDim: 19 },
  { rows: 8, inDim: 33, outDim: 40 },
  { rows: 17, inDim: 576, outDim: 192 },
  { rows: 64, inDim: 96, outDim: 67 },
];

/** Attention shapes: a single position, GQA groups, a cached prefix, headDim not a multiple of 4, decoding. */
export const ATTENTION_SHAPES: readonly {
  tokens: number;
  start: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
}[] = [
  { tokens: 1, start: 0, numHeads: 1, numKvHeads: 1, headDim: 1 },
  { tokens: 5, start: 0, numHeads: 4, numKvHeads: 2, headDim: 8 },
  { tokens: 3, start: 17, numHeads: 6, numKvHeads: 2, headDim: 10 },
  { tokens: 64, start: 0, numHeads: 9, numKvHeads: 3, headDim: 64 },
  { tokens: 1, start: 100, numHeads: 9, numKvHeads: 3, headDim: 64 },
];
