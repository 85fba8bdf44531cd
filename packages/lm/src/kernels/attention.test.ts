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

describe("js backend attention variants", () => {
  it("limits each token to its window, soft-caps scores and uses the given scale", async () => {
    // One head of dim 1, three tokens; q = 2 for the last, keys 1, 2, 3, values 10, 20, 30.
    const q = Float32Array.of(0, 0, 2);
    const keys = Float32Array.of(1, 2, 3);
    const values = Float32Array.of(10, 20, 30);
    const out = new Float32Array(3);
    const mean = (scores: number[], vs: number[]) => {
      const e = scores.map(Math.exp);
      const z = e.reduce((a, b) => a + b, 0);
      return e.reduce((sum, w, i) => sum + (w / z) * vs[i], 0);
    };
    // Window 2: the last token sees positions 1 and 2 only; scale 0.5: scores 2*2*0.5, 2*3*0.5.
    await js.attention(out, q, keys, values, 3, 0, 1, 1, 1, { scale: 0.5, window: 2 });
    expect(out[2]).toBeCloseTo(mean([2, 3], [20, 30]), 5);
    expect(out[0]).toBeCloseTo(10, 5);
    // Soft-cap 2 bends the scores 2, 4, 6 (scale 1) to 2 tanh(s / 2).
    await js.attention(out, q, keys, values, 3, 0, 1, 1, 1, { scale: 1, softCap: 2 });
    expect(out[2]).toBeCloseTo(
      mean(
        [2, 4, 6].map((s) => 2 * Math.tanh(s / 2)),
        [10, 20, 30],
      ),
      5,
    );
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

describe("wasm attention variants", () => {
  it.each([{ scale: 0.3 }, { softCap: 1.5 }, { window: 3 }, { scale: 0.2, softCap: 2, window: 5 }])(
    "matches the js backend with %o",
    async (options) => {
      const wasm = await createWasmBackend({ threads: 2 });
      backends.push(wasm);
      const [tokens, start, numHeads, numKvHeads, headDim] = [6, 4, 4, 2, 8];
      const qLength = tokens * numHeads * headDim;
      const kvLength = (start + tokens) * numKvHeads * headDim;
      const q = filledF32(wasm.allocF32(qLength), 1).map((v) => 3 * v);
      const keys = filledF32(wasm.allocF32(kvLength), 2);
      const values = filledF32(wasm.allocF32(kvLength), 3);
      const got = wasm.allocF32(qLength);
      const want = new Float32Array(qLength);
      const plain = new Float32Array(qLength);
      await wasm.attention(got, q, keys, values, tokens, start, numHeads, numKvHeads, headDim, options);
      await js.attention(want, q, keys, values, tokens, start, numHeads, numKvHeads, headDim, options);
      await js.attention(plain, q, keys, values, tokens, start, numHeads, numKvHeads, headDim);
      let worst = 0;
      let changed = 0;
      for (let i = 0; i < qLength; i++) {
        worst = Math.max(worst, Math.abs(got[i] - want[i]));
        changed = Math.max(changed, Math.abs(want[i] - plain[i]));
      }
      expect(worst).toBeLessThan(1e-5);
      expect(changed).toBeGreaterThan(1e-3);
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
