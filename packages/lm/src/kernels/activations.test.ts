import { afterAll, describe, expect, it } from "vitest";
import { createComputeBackend, createWasmBackend, type WasmBackend } from "./index.js";

const backends: WasmBackend[] = [];
afterAll(async () => {
  await Promise.all(backends.map((backend) => backend.dispose()));
});

/** Inputs across SiLU's whole range: deep in both tails (where exp overflows or underflows), and near 0. */
function activationInputs(length: number): Float32Array {
  return Float32Array.from(
    { length },
    (_, i) => (i % 2 ? 1 : -1) * (i / length) ** 3 * 120 + Math.sin(i) * 1e-3,
  );
}

describe("siluMul", () => {
  it("computes silu(g) * u for values worked out by hand (js backend)", async () => {
    const js = await createComputeBackend({ kind: "js" });
    // silu(0) = 0; silu(1) = 1 / (1 + e^-1) = 0.7310585786; silu(-2) = -2 / (1 + e^2) = -0.2384058440
    const gate = Float32Array.of(0, 1, -2);
    await js.siluMul(gate, Float32Array.of(5, 2, -1), 3);
    expect(gate[0]).toBe(0);
    expect(gate[1]).toBeCloseTo(1.4621171573, 6);
    expect(gate[2]).toBeCloseTo(0.238405844, 6);
  });

  it.each([
    // 4099 is not a multiple of 4: the scalar tail runs too.
    { threads: 1, fused: false, length: 4099 },
    { threads: 1, fused: true, length: 4099 },
    // Long enough to be shared between threads, in blocks of 256 with a ragged last block.
    { threads: 3, fused: true, length: 40_003 },
  ])(
    "wasm ($threads threads, fused $fused) matches the js backend over $length values",
    async ({ threads, fused, length }) => {
      const wasm = await createWasmBackend({ threads, fused });
      backends.push(wasm);
      const js = await createComputeBackend({ kind: "js" });
      const gate = wasm.allocF32(length);
      gate.set(activationInputs(length));
      const up = Float32Array.from({ length }, (_, i) => Math.cos(i));
      const want = gate.slice();
      await js.siluMul(want, up, length);
      await wasm.siluMul(gate, up, length);
      let worst = 0;
      for (let i = 0; i < length; i++) {
        expect(Number.isFinite(gate[i])).toBe(true);
        worst = Math.max(worst, Math.abs(gate[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-30));
      }
      expect(worst).toBeLessThan(1e-5);
    },
  );
});
