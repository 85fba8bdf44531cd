import { describe, expect, it } from "vitest";
import { createRng } from "./rng.js";

const draw = (rng: { float(): number }, n = 8) => Array.from({ length: n }, () => rng.float());

describe("createRng", () => {
  it("gives the same stream for the same seed, and a number seed equals its string form", () => {
    expect(draw(createRng(1234))).toEqual(draw(createRng(1234)));
    expect(draw(createRng(1234))).toEqual(draw(createRng("1234")));
    expect(draw(createRng(1234))).not.toEqual(draw(createRng(1235)));
  });

  it("forks by name: independent of the parent's consumption and of fork order", () => {
    const a = createRng(7);
    const first = draw(a.fork("bootstrap"));
    const b = createRng(7);
    draw(b, 100); // consuming the parent must not move its forks
    b.fork("permutation"); // nor must creating other forks first
    expect(draw(b.fork("bootstrap"))).toEqual(first);
    expect(draw(a.fork("permutation"))).not.toEqual(first);
    expect(draw(a.fork("bootstrap").fork("x"))).toEqual(draw(createRng(7).fork("bootstrap").fork("x")));
    expect(draw(a.fork("bootstrap").fork("x"))).not.toEqual(draw(a.fork("x").fork("bootstrap")));
  });

  it("fork streams are uncorrelated with each other and with the parent", () => {
    const n = 20_000;
    const x = draw(createRng(1).fork("a"), n);
    const y = draw(createRng(1).fork("b"), n);
    const z = draw(createRng(1), n);
    const corr = (u: number[], v: number[]) => {
      const mu = u.reduce((s, t) => s + t, 0) / n;
      const mv = v.reduce((s, t) => s + t, 0) / n;
      let suv = 0;
      let suu = 0;
      let svv = 0;
      for (let i = 0; i < n; i++) {
        suv += (u[i]! - mu) * (v[i]! - mv);
        suu += (u[i]! - mu) ** 2;
        svv += (v[i]! - mv) ** 2;
      }
      return suv / Math.sqrt(suu * svv);
    };
    // |r| of independent samples has sd 1/sqrt(n) = 0.007; 0.03 is > 4 sd.
    expect(Math.abs(corr(x, y))).toBeLessThan(0.03);
    expect(Math.abs(corr(x, z))).toBeLessThan(0.03);
  });

  it("float is uniform on [0, 1)", () => {
    const xs = draw(createRng("uniform"), 50_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, t) => s + t, 0) / xs.length;
    // sd of the mean = sqrt(1/12 / 50000) = 0.0013
    expect(mean).toBeCloseTo(0.5, 2);
    const deciles = new Array(10).fill(0);
    for (const x of xs) deciles[Math.floor(x * 10)]++;
    for (const count of deciles) expect(Math.abs(count - 5000)).toBeLessThan(300); // sd 67
  });

  it("int covers [0, max) evenly and rejects a bad bound", () => {
    const rng = createRng(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)]++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(400); // sd 91
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => rng.int(2.5)).toThrow(RangeError);
  });

  it("normal has mean 0 and variance 1", () => {
    const rng = createRng(11);
    const xs = Array.from({ length: 50_000 }, () => rng.normal());
    const mean = xs.reduce((s, t) => s + t, 0) / xs.length;
    const variance = xs.reduce((s, t) => s + (t - mean) ** 2, 0) / (xs.length - 1);
    expect(Math.abs(mean)).toBeLessThan(0.02); // sd 0.0045
    expect(Math.abs(variance - 1)).toBeLessThan(0.03); // sd 0.0063
    expect(xs.every(Number.isFinite)).toBe(true);
  });

  it("shuffle permutes a copy, reproducibly, with every position reachable", () => {
    const items = [1, 2, 3, 4, 5];
    const shuffled = createRng(5).shuffle(items);
    expect(items).toEqual([1, 2, 3, 4, 5]);
    expect([...shuffled].sort()).toEqual(items);
    expect(createRng(5).shuffle(items)).toEqual(shuffled);
    const rng = createRng(6);
    const firstCounts = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const first = rng.shuffle(items)[0]!;
      firstCounts.set(first, (firstCounts.get(first) ?? 0) + 1);
    }
    for (const item of items) expect(Math.abs((firstCounts.get(item) ?? 0) - 1000)).toBeLessThan(150); // sd 28
  });
});
