import { describe, expect, it } from "vitest";
import { decodeMatrixRows, encodeRows } from "../weight-codecs/weight-codec.js";
import { createComputeBackend } from "./index.js";
import { filledF32, MATMUL_SHAPES, matmulFloat64, maxScaledError } from "./kernel-test-cases.js";
import { f32WeightMatrix } from "./weight-matrix.js";

describe("js compute backend", () => {
  it("computes a small product worked out by hand", async () => {
    const backend = await createComputeBackend({ kind: "js" });
    // x = [[1,2,3],[4,5,6]], w = [[1,0,-1],[2,1,0]], bias = [0.5,-1]
    // row 0: 1-3+0.5 = -1.5, 2+2-1 = 3; row 1: 4-6+0.5 = -1.5, 8+5-1 = 12
    const out = new Float32Array(4);
    await backend.matmul(
      out,
      Float32Array.of(1, 2, 3, 4, 5, 6),
      f32WeightMatrix(Float32Array.of(1, 0, -1, 2, 1, 0), 2, 3),
      2,
      Float32Array.of(0.5, -1),
    );
    expect(Array.from(out)).toEqual([-1.5, 3, -1.5, 12]);
  });

  it.each(MATMUL_SHAPES)(
    "matches a float64 product for $rows x $inDim -> $outDim",
    async ({ rows, inDim, outDim }) => {
      const backend = await createComputeBackend({ kind: "js" });
      const x = filledF32(backend.allocF32(rows * inDim), 1);
      const w = filledF32(backend.allocF32(outDim * inDim), 2);
      const bias = filledF32(backend.allocF32(outDim), 3);
      const out = backend.allocF32(rows * outDim);
      await backend.matmul(out, x, f32WeightMatrix(w, outDim, inDim), rows, bias);
      const want = matmulFloat64(x, w, rows, inDim, outDim, bias);
      expect(maxScaledError(out, want, x, w, rows, inDim, outDim)).toBeLessThan(1e-5);
      await backend.matmul(out, x, f32WeightMatrix(w, outDim, inDim), rows);
      const wantNoBias = matmulFloat64(x, w, rows, inDim, outDim);
      expect(maxScaledError(out, wantNoBias, x, w, rows, inDim, outDim)).toBeLessThan(1e-5);
    },
  );

  it("rejects buffers too small for the shape", async () => {
    const backend = await createComputeBackend({ kind: "js" });
    await expect(
      backend.matmul(new Float32Array(3), new Float32Array(6), f32WeightMatrix(new Float32Array(6), 2, 3), 2),
    ).rejects.toThrow(/out has 3 floats, needs 2x2/);
  });
});

describe("js compute backend on stored weight types", () => {
  it.each(["f16", "bf16", "q8_0", "q4_0", "q5_0", "q5_1", "q4_k", "q5_k", "q6_k"] as const)(
    "multiplies %s weights as the float64 product of their decoded values",
    async (type) => {
      const backend = await createComputeBackend({ kind: "js" });
      // An output count that is not a multiple of the 4-row tile exercises its tail.
      const [rows, inDim, outDim] = [3, 512, 37];
      const values = filledF32(new Float32Array(outDim * inDim), 4);
      const w = backend.allocWeights(type, outDim, inDim);
      encodeRows(type, values, 0, outDim, inDim, w.data);
      const decoded = new Float32Array(outDim * inDim);
      decodeMatrixRows(w, 0, outDim, decoded);
      const x = filledF32(new Float32Array(rows * inDim), 5);
      const bias = filledF32(new Float32Array(outDim), 6);
      const out = new Float32Array(rows * outDim);
      await backend.matmul(out, x, w, rows, bias);
      const want = matmulFloat64(x, decoded, rows, inDim, outDim, bias);
      expect(maxScaledError(out, want, x, decoded, rows, inDim, outDim)).toBeLessThan(1e-6);
    },
  );
});
