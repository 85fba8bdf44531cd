import type { ComputeBackend } from "./compute-backend.js";
import { matmulReference } from "./matmul-reference.js";

/** Single-threaded plain TypeScript backend: the reference the fast kernels are tested against. */
export function createJsBackend(): ComputeBackend {
  return {
    kind: "js",
    threads: 1,
    allocF32: (length) => new Float32Array(length),
    matmul: async (out, x, w, rows, inDim, outDim, bias) => {
      checkMatmulShapes(out, x, w, rows, inDim, outDim, bias);
      matmulReference(out, x, w, rows, inDim, outDim, bias);
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
