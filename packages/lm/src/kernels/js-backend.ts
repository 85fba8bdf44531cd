import { attendCausal } from "../attention.js";
import { decodeMatrixRows } from "../weight-codecs/weight-codec.js";
import {
  type ComputeBackend,
  checkAttentionShapes,
  checkMatmulShapes,
  checkSiluMulShapes,
} from "./compute-backend.js";
import { matmulReference } from "./matmul-reference.js";
import { f32Values, WEIGHT_TYPES, type WeightMatrix, weightMatrixBytes } from "./weight-matrix.js";

/** Weight rows decoded per step of a matmul on a non-F32 matrix: a few hundred KB of F32. */
const DECODED_VALUES_PER_STEP = 1 << 16;

/**
 * Single-threaded plain TypeScript backend: the reference the fast kernels are tested against.
 * Its attention is the runtime's readable attendCausal. Its matmul reads every weight type: it
 * decodes a few weight rows at a time to F32 (activations stay F32) and runs the same reference
 * loop as for F32 weights, so a quantized matrix gives exactly the sums of its decoded values.
 */
export function createJsBackend(): ComputeBackend {
  let decoded = new Float32Array(0);
  return {
    kind: "js",
    threads: 1,
    weightTypes: new Set(WEIGHT_TYPES),
    allocF32: (length) => new Float32Array(length),
    allocWeights: (type, rows, cols) => ({
      type,
      rows,
      cols,
      // An F32-sized backing buffer keeps f32 data 4-aligned.
      data: new Uint8Array(
        new ArrayBuffer(Math.ceil(weightMatrixBytes(type, rows, cols) / 4) * 4),
        0,
        weightMatrixBytes(type, rows, cols),
      ),
    }),
    matmul: async (out, x, w, rows, bias) => {
      checkMatmulShapes(out, x, w, rows, bias);
      if (w.type === "f32") {
        matmulReference(out, x, f32Values(w), rows, w.cols, w.rows, bias);
        return;
      }
      const step = stepRows(w);
      if (decoded.length < step * w.cols) decoded = new Float32Array(step * w.cols);
      for (let first = 0; first < w.rows; first += step) {
        const count = Math.min(step, w.rows - first);
        decodeMatrixRows(w, first, count, decoded);
        matmulReference(out, x, decoded, rows, w.cols, w.rows, bias, first, count);
      }
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

/** Rows per decode step: a multiple of the 4-row tile, at least one tile. */
function stepRows(w: WeightMatrix): number {
  return Math.max(4, Math.floor(DECODED_VALUES_PER_STEP / w.cols / 4) * 4);
}
