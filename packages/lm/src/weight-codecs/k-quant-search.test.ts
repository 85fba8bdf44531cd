import { describe, expect, it } from "vitest";
import { kQuantSearchKind, makeQkx2Quants, makeQkx2QuantsJs, type ScaleMin } from "./k-quant-search.js";

describe("makeQkx2Quants in WebAssembly", () => {
  it("is built (the package build compiles assembly/k-quant-search.ts) and used", () => {
    expect(kQuantSearchKind()).toBe("wasm");
  });

  it("gives the TypeScript search's codes, scale and min, with Q4_K's and Q5_K's settings", () => {
    // 4096 sub-blocks of 32: bell curves of several widths, some shifted off zero, some sparse.
    let u = 0.1;
    const next = () => {
      u = (u + 0.6180339887498949) % 1;
      return u;
    };
    const x = new Float32Array(32 * 4096);
    for (let i = 0; i < x.length; i++) {
      const block = Math.floor(i / 32);
      const bell = next() + next() + next() + next() - 2;
      const value = 0.01 * (1 + (block % 9)) * bell + (block % 5 === 0 ? 0.03 : 0);
      x[i] = block % 7 === 3 && next() < 0.7 ? 0 : value;
    }
    const weights = new Float32Array(32);
    for (const [nmax, rmin, nstep] of [
      [15, -1, 20],
      [31, -0.5, 15],
    ]) {
      const a = new Uint8Array(32);
      const b = new Uint8Array(32);
      const aux = new Uint8Array(32);
      const outA: ScaleMin = { scale: 0, min: 0 };
      const outB: ScaleMin = { scale: 0, min: 0 };
      let differing = 0;
      for (let s = 0; s < 4096; s++) {
        const o = 32 * s;
        let sumX2 = 0;
        for (let l = 0; l < 32; l++) sumX2 = Math.fround(sumX2 + Math.fround(x[o + l] * x[o + l]));
        const avX = Math.fround(Math.sqrt(Math.fround(sumX2 / 32)));
        for (let l = 0; l < 32; l++) weights[l] = Math.fround(avX + Math.abs(x[o + l]));
        makeQkx2Quants(32, nmax, x, o, weights, a, 0, aux, rmin, Math.fround(0.1), nstep, outA);
        makeQkx2QuantsJs(32, nmax, x, o, weights, b, 0, aux, rmin, Math.fround(0.1), nstep, outB);
        if (outA.scale !== outB.scale || outA.min !== outB.min || a.some((v, i) => v !== b[i])) differing++;
      }
      expect(differing, `nmax ${nmax}`).toBe(0);
    }
  });
});
