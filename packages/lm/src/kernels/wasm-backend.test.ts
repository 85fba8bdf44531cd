import { afterAll, describe, expect, it } from "vitest";
import { encodeRows } from "../weight-codecs/weight-codec.js";
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

  it("opens another memory when one is full, and gives a matrix over the share a memory of its own", async () => {
    const b = await createWasmBackend({ threads: 2, bytesPerMemory: 1 << 20 });
    backends.push(b);
    expect(b.memories).toBe(1);
    const small = b.allocF32(100_000); // 400 kB: fits the first memory's 1 MiB
    expect(b.memories).toBe(1);
    b.allocF32(200_000); // 800 kB more would pass 1 MiB
    expect(b.memories).toBe(2);
    const big = b.allocWeights("f32", 1024, 512); // 2 MiB, over any share: a memory of its own
    expect(b.memories).toBe(3);
    expect(big.data.buffer).not.toBe(small.buffer);
    b.allocF32(10); // the newest memory is past its share; the second still has room
    expect(b.memories).toBe(3);
    b.free(small);
    expect(() => b.free(new Float32Array(4))).toThrow(/not allocated here/);
  });

  it("computes a matmul whose operands sit in other memories exactly as in one memory, in passes when they are large", async () => {
    // With a 1 MiB share, x (1.1 MB), w (1.1 MB as q8_0, 4.2 MB as f32) and out (18 MB) each take
    // a memory of their own: x is staged into w's memory and out copied back, in passes of a
    // bounded number of rows (rows * outDim is over the 4 Mi floats of one pass).
    const [rows, inDim, outDim] = [1100, 256, 4096];
    for (const type of ["f32", "q8_0"] as const) {
      const one = await backend(2, true);
      const several = await createWasmBackend({ threads: 2, fused: true, bytesPerMemory: 1 << 20 });
      backends.push(several);
      const results: Float32Array[] = [];
      for (const b of [one, several]) {
        const x = filledF32(b.allocF32(rows * inDim), 11);
        const w = b.allocWeights(type, outDim, inDim);
        encodeRows(type, filledF32(new Float32Array(outDim * inDim), 12), 0, outDim, inDim, w.data, 0);
        const bias = filledF32(b.allocF32(outDim), 13);
        const out = b.allocF32(rows * outDim);
        await b.matmul(out, x, w, rows, bias);
        results.push(out.slice());
      }
      expect(several.memories).toBeGreaterThanOrEqual(4);
      // toEqual walks 4.5 M elements slowly; the first differing index says as much.
      expect(results[1].findIndex((v, i) => !Object.is(v, results[0][i]))).toBe(-1);
    }
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
