import { attendCausal } from "../attention.js";
import {
  type ComputeBackend,
  checkAttentionShapes,
  checkMatmulShapes,
  checkSiluMulShapes,
} from "./compute-backend.js";
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
    attention: async (out, q, keys, values, tokens, start, numHeads, numKvHeads, headDim, options) => {
      checkAttentionShapes(out, q, keys, values, tokens, start, numHeads, numKvHeads, headDim);
      const scores = new Float32Array(start + tokens);
      const accumulator = new Float64Array(headDim);
      attendCausal(q, keys, values, out, scores, accumulator, {
        tokens,
        start,
        numHeads,
        numKvHeads,
        headDim,
        ...options,
      });
    },
    siluMul: async (gate, up, length) => {
      checkSiluMulShapes(gate, up, length);
      for (let i = 0; i < length; i++) {
        const g = gate[i];
        gate[i] = (g / (1 + Math.exp(-g))) * up[i];
      }
    },
    dispose: async () => {},
  };
}
