import { afterAll, describe, expect, it } from "vitest";
import { createComputeBackend, createWasmBackend, type WasmBackend } from "./index.js";
import { filledF32, MATMUL_SHAPES, matmulFloat64, maxScaledError } from "./kernel-test-cases.js";
import { f32WeightMatrix } from "./weight-matrix.js";

const backends: WasmBackend[] = [];
afterAll(async () => {
  await Promise.all(backends.map((backend) => backend.dispose()));
});

async function backend(threads: number, fused: boolean): Promise<WasmBackend> {
  const created = await createWasmBackend({ threads, fused });
  backends.push(created);
  return created;
}

describe.each([
  { threads: 1, fused: false },
  { threads: 1, fused: true },
  { threads: 3, fused: true },
])("wasm compute backend, $threads thread(s), fused $fused", ({ threads, fused }) => {
  it.each(MATMUL_SHAPES)(
    "matches a float64 product for $rows x $inDim -> $outDim",
    async ({ rows, inDim, outDim }) => {
      const b = await backend(threads, fused);
      expect(b.fused).toBe(fused);
      const x = filledF32(b.allocF32(rows * inDim), 1);
      const w = filledF32(b.allocF32(outDim * inDim), 2);
      const bias = filledF32(b.allocF32(outDim), 3);
      const out = b.allocF32(rows * outDim);
      await b.matmul(out, x, f32WeightMatrix(w, outDim, inDim), rows, bias);
      expect(
        maxScaledError(out, matmulFloat64(x, w, rows, inDim, outDim, bias), x, w, rows, inDim, outDim),
      ).toBeLessThan(1e-5);
      await b.matmul(out, x, f32WeightMatrix(w, outDim, inDim), rows);
      expect(
        maxScaledError(out, matmulFloat64(x, w, rows, inDim, outDim), x, w, rows, inDim, outDim),
      ).toBeLessThan(1e-5);
    },
  );
});

describe("wasm compute backend, beyond the shapes", () => {
  it("agrees with the js reference backend on a layer-sized product split across threads", async () => {
    const wasm = await backend(2, true);
    const js = await createComputeBackend({ kind: "js" });
    const [rows, inDim, outDim] = [64, 576, 1536];
    const x = filledF32(wasm.allocF32(rows * inDim), 4);
    const w = filledF32(wasm.allocF32(outDim * inDim), 5);
    const got = wasm.allocF32(rows * outDim);
    const want = new Float32Array(rows * outDim);
    await wasm.matmul(got, x, f32WeightMatrix(w, outDim, inDim), rows);
    await js.matmul(want, x, f32WeightMatrix(w, outDim, inDim), rows);
    let worst = 0;
    for (let i = 0; i < want.length; i++)
      worst = Math.max(worst, Math.abs(got[i] - want[i]) / (Math.abs(want[i]) + 1));
    expect(worst).toBeLessThan(1e-5);
  });

  it("keeps every result right over hundreds of back-to-back jobs shared by three threads", async () => {
    // Exercises the job protocol: generations, claims, completion, and workers that miss jobs.
    const wasm = await backend(3, true);
    const js = await createComputeBackend({ kind: "js" });
    const [rows, inDim] = [8, 96];
    const x = filledF32(wasm.allocF32(rows * inDim), 9);
    const w = filledF32(wasm.allocF32(400 * inDim), 10);
    const got = wasm.allocF32(rows * 400);
    const want = new Float32Array(rows * 400);
    let worst = 0;
    for (let job = 0; job < 300; job++) {
      const outDim = 200 + ((job * 37) % 200); // 200..399 columns: above the parallel threshold
      await wasm.matmul(got, x, f32WeightMatrix(w.subarray(0, outDim * inDim), outDim, inDim), rows);
      await js.matmul(want, x, f32WeightMatrix(w.subarray(0, outDim * inDim), outDim, inDim), rows);
      for (let i = 0; i < rows * outDim; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it("copies arrays that were not allocated in its memory, and writes the result back", async () => {
    const b = await backend(2, true);
    const [rows, inDim, outDim] = [9, 130, 300];
    const x = filledF32(new Float32Array(rows * inDim), 6);
    const w = filledF32(new Float32Array(outDim * inDim), 7);
    const bias = filledF32(new Float32Array(outDim), 8);
    const out = new Float32Array(rows * outDim);
    await b.matmul(out, x, f32WeightMatrix(w, outDim, inDim), rows, bias);
    expect(
      maxScaledError(out, matmulFloat64(x, w, rows, inDim, outDim, bias), x, w, rows, inDim, outDim),
    ).toBeLessThan(1e-5);
  });

  it("frees arrays back to its heap", async () => {
    const b = await backend(1, true);
    const before = b.heapBytes;
    const scratch = b.allocF32(1000);
    expect(b.heapBytes).toBe(before + 4032);
    b.free(scratch);
    expect(b.heapBytes).toBe(before);
  });

  it("refuses work after dispose", async () => {
    const b = await createWasmBackend({ threads: 2 });
    await b.dispose();
    await b.dispose();
    await expect(
      b.matmul(new Float32Array(1), new Float32Array(1), f32WeightMatrix(new Float32Array(1), 1, 1), 1),
    ).rejects.toThrow(/disposed/);
  });
});
