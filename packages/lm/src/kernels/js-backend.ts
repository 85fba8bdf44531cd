import { attendCausal } from "../attention.js";
import type { ComputeBackend } from "./compute-backend.js";
import { matmulReference } from "./matmul-reference.js";

/**
 * Single-threaded plain TypeScript backend: the reference the fast kernels are tested against.
 * Its attention is the runtime's readable attendCausal.
 */
export function createJsBackend(): ComputeBackend {
  return {
    kind: "js",
    threads: 1,
    allocF32: (length) => new Float32Array(length),
    matmul: async (out, x, w, rows, inDim, outDim, bias) => {
      checkMatmulShapes(out, x, w, rows, inDim, outDim, bias);
      matmulReference(out, x, w, rows, inDim, outDim, bias);
    },
    attention: async (out, q, keys, values, tokens, start, numHeads, numKvHeads, headDim) => {
      checkAttentionShapes(out, q, keys, values, tokens, start, numHeads, numKvHeads, headDim);
      const scores = new Float32Array(start + tokens);
      const accumulator = new Float64Array(headDim);
      attendCausal(q, keys, values, out, scores, accumulator, {
        tokens,
        start,
        numHeads,
        numKvHeads,
        headDim,
      });
    },
    siluMul: async (gate, up, length) => {
      if (gate.length < length || up.length < length)
        throw new RangeError(`siluMul: gate has ${gate.length} and up ${up.length} floats, needs ${length}`);
      for (let i = 0; i < length; i++) {
        const g = gate[i];
        gate[i] = (g / (1 + Math.exp(-g))) * up[i];
      }
    },
    dispose: async () => {},
  };
}

/** Shape errors here are programming errors in the runtime, so a plain RangeError is right. */
export function checkMatmulShapes(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  rows: number,
  inDim: number,
  outDim: number,
  bias?: Float32Array,
): void {
  if (x.length < rows * inDim)
    throw new RangeError(`matmul: x has ${x.length} floats, needs ${rows}x${inDim}`);
  if (w.length < outDim * inDim)
    throw new RangeError(`matmul: w has ${w.length} floats, needs ${outDim}x${inDim}`);
  if (out.length < rows * outDim)
    throw new RangeError(`matmul: out has ${out.length} floats, needs ${rows}x${outDim}`);
  if (bias && bias.length < outDim)
    throw new RangeError(`matmul: bias has ${bias.length} floats, needs ${outDim}`);
}

export function checkAttentionShapes(
  out: Float32Array,
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  tokens: number,
  start: number,
  numHeads: number,
  numKvHeads: number,
  headDim: number,
): void {
  if (numKvHeads <= 0 || numHeads % numKvHeads !== 0)
    throw new RangeError(`attention: ${numHeads} heads do not group over ${numKvHeads} KV heads`);
  const qLength = tokens * numHeads * headDim;
  const kvLength = (start + tokens) * numKvHeads * headDim;
  if (q.length < qLength) throw new RangeError(`attention: q has ${q.length} floats, needs ${qLength}`);
  if (out.length < qLength) throw new RangeError(`attention: out has ${out.length} floats, needs ${qLength}`);
  if (keys.length < kvLength)
    throw new RangeError(`attention: keys have ${keys.length} floats, needs ${kvLength}`);
  if (values.length < kvLength)
    throw new RangeError(`attention: values have ${values.length} floats, needs ${kvLength}`);
}
