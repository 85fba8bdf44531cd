import { afterAll, describe, expect, it } from "vitest";
import { type ComputeBackend, createComputeBackend, createWasmBackend } from "./index.js";
import { ATTENTION_SHAPES, filledF32 } from "./kernel-test-cases.js";

const backends: ComputeBackend[] = [];
afterAll(async () => {
  await Promise.all(backends.map((backend) => backend.dispose()));
});

const js = await createComputeBackend({ kind: "js" });

describe("js backend attention", () => {
  it("averages the values by softmax weights worked out by hand", async () => {
    // One head, headDim 2, second token attends to both positions with scores
    // q.k/sqrt(2) = [1*2 + 0*0, 1*0 + 0*1]/sqrt(2) = [sqrt(2), 0]: weights e^sqrt2/(e^sqrt2+1), 1/(e^sqrt2+1).
    const q = Float32Array.of(9, 9, 1, 0);
    const keys = Float32Array.of(2, 0, 0, 1);
    const values = Float32Array.of(10, 0, 0, 20);
    const out = new Float32Array(4);
    await js.attention(out, q, keys, values, 2, 0, 1, 1, 2);
    const p = Math.exp(Math.SQRT2) / (Math.exp(Math.SQRT2) + 1);
    expect(out[0]).toBeCloseTo(10, 5); // the first token sees only position 0
    expect(out[1]).toBeCloseTo(0, 5);
    expect(out[2]).toBeCloseTo(10 * p, 5);
    expect(out[3]).toBeCloseTo(20 * (1 - p), 5);
  });
});

describe.each([
  { threads: 1, fused: false },
  { threads: 1, fused: true },
  { threads: 3, fused: true },
])("wasm attention, $threads thread(s), fused $fused", ({ threads, fused }) => {
  it.each(ATTENTION_SHAPES)(
    "matches the reference for $tokens tokens after $start, $numHeads/$numKvHeads heads of $headDim",
    async ({ tokens, start, numHeads, numKvHeads, headDim }) => {
      const wasm = await createWasmBackend({ threads, fused });
      backends.push(wasm);
      const qLength = tokens * numHeads * headDim;
      const kvLength = (start + tokens) * numKvHeads * headDim;
      // Scaled so that softmax weights range widely rather than being nearly uniform.
      const q = filledF32(wasm.allocF32(qLength), 1).map((v) => 3 * v);
      const keys = filledF32(new Float32Array(kvLength), 2);
      const values = filledF32(wasm.allocF32(kvLength), 3);
      const got = wasm.allocF32(qLength);
      const want = new Float32Array(qLength);
      await wasm.attention(got, q, keys, values, tokens, start, numHeads, numKvHeads, headDim);
      await js.attention(want, q, keys, values, tokens, start, numHeads, numKvHeads, headDim);
      // Outputs are convex combinations of values in [-1, 1], so an absolute bound is a relative one.
      let worst = 0;
      for (let i = 0; i < qLength; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      expect(worst).toBeLessThan(1e-5);
    },
  );
});

describe("attention shape checks", () => {
  it("rejects heads that do not group over the KV heads", async () => {
    const a = new Float32Array(64);
    await expect(js.attention(a, a, a, a, 1, 0, 3, 2, 4)).rejects.toThrow(
      /3 heads do not group over 2 KV heads/,
    );
  });
});
