import { createRng, percentileInterval } from "@pva/core";
import { describe, expect, it } from "vitest";
import { bootstrapCi, bootstrapPearsonCis } from "./bootstrap.js";
import { pearson, spearman } from "./correlation.js";
import { benjaminiHochberg } from "./fdr.js";
import { partialPearson } from "./partial.js";
import { permutationPValue, permutationPValues } from "./permutation.js";

// Inputs shared with stats.reference.py; the expected numbers below are its printed output
// (scipy 1.10.1 / numpy 1.24.2 / statsmodels 0.13.5, run with /usr/bin/python3).
const x = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 6.1, 5.0, 3.9, 4.7, 2.2];
const y = [1.0, 2.0, 2.0, 4.0, 3.0, 3.0, 2.0, 5.0, 4.0, 3.0, 3.0, 1.0];
const z = [0.3, 0.9, 0.1, 1.8, 1.1, 0.7, 0.5, 2.2, 1.5, 0.6, 1.4, 0.2];

function gather(xs: readonly number[], indices: Int32Array): number[] {
  return Array.from(indices, (i) => xs[i]);
}

describe("correlations against scipy", () => {
  it("pearson matches scipy.stats.pearsonr", () => {
    expect(pearson(x, y)).toBeCloseTo(0.9310529613654246, 12);
  });

  it("spearman with ties matches scipy.stats.spearmanr (midranks)", () => {
    expect(spearman(x, y)).toBeCloseTo(0.9104489985262101, 12);
  });

  it("partial correlation matches the correlation of least-squares residuals", () => {
    expect(partialPearson(x, y, z)).toBeCloseTo(0.5630733559772738, 12);
  });

  it("is undefined (NaN) for a constant sample instead of a fake zero", () => {
    expect(
      pearson(
        x,
        x.map(() => 1),
      ),
    ).toBeNaN();
    expect(spearman([1, 2, 3], [4, 4, 4])).toBeNaN();
  });
});

describe("Benjamini-Hochberg", () => {
  it("matches statsmodels multipletests(method='fdr_bh')", () => {
    const p = [0.01, 0.04, 0.03, 0.2, 0.5, 0.001, 0.04, 0.8, 0.06, 0.012];
    const expected = [
      0.04, 0.06666666666666667, 0.06666666666666667, 0.25, 0.5555555555555556, 0.01, 0.06666666666666667,
      0.8, 0.08571428571428572, 0.04,
    ];
    benjaminiHochberg(p).forEach((q, i) => {
      expect(q).toBeCloseTo(expected[i], 12);
    });
  });

  it("leaves undefined tests out of m", () => {
    expect(benjaminiHochberg([0.01, Number.NaN, 0.02])).toEqual([0.02, Number.NaN, 0.02]);
  });
});

describe("percentile intervals", () => {
  it("interpolate like numpy.percentile", () => {
    const [lo, hi] = percentileInterval([0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8], 0.95);
    expect(lo).toBeCloseTo(0.115, 12);
    expect(hi).toBeCloseTo(0.885, 12);
  });
});

describe("bootstrap", () => {
  const pearsonOf = (indices: Int32Array) => pearson(gather(x, indices), gather(y, indices));

  it("is reproducible from the seed and changes with it", () => {
    const a = bootstrapCi(x.length, pearsonOf, {
      resamples: 500,
      level: 0.95,
      rng: createRng(7).fork("bootstrap"),
    });
    const b = bootstrapCi(x.length, pearsonOf, {
      resamples: 500,
      level: 0.95,
      rng: createRng(7).fork("bootstrap"),
    });
    const c = bootstrapCi(x.length, pearsonOf, {
      resamples: 500,
      level: 0.95,
      rng: createRng(8).fork("bootstrap"),
    });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("converges to the exact percentile bootstrap, enumerated over all 7^7 draws", () => {
    // across-emotions.reference.py enumerates every one of the 823,543 equally likely index draws
    // of these 7 pairs (undefined draws dropped) and takes numpy's percentiles: [0.73961, 0.99908].
    // A bootstrap that resampled the two sides independently would centre near 0 instead.
    const shift = [212, -303, 45, -120, 160, -15, 80];
    const r = [0.71, -0.74, 0.12, -0.35, 0.52, 0.05, -0.1];
    const opts = { resamples: 20_000, level: 0.95, rng: createRng(5).fork("bootstrap") };
    const [low, high] = bootstrapPearsonCis([shift], r, opts)[0];
    expect(Math.abs(low - 0.7396097346346961)).toBeLessThan(0.015);
    expect(Math.abs(high - 0.9990801634402773)).toBeLessThan(0.001);
  });

  it("keeps a resampled r inside [-1, 1] where rounding would step past it", () => {
    // Three pairs: a resample of two distinct pairs has r = +-1 exactly, which the weighted sums
    // computed as 1.0000000000000004 before r was clamped.
    const [, high] = bootstrapPearsonCis([[300, -300, 0]], [0.6, -0.5, 0.1], {
      resamples: 200,
      level: 0.95,
      rng: createRng(1).fork("bootstrap"),
    })[0];
    expect(high).toBe(1);
  });

  it("the shared-resample batch equals one-at-a-time intervals", () => {
    const rows = [x, z, x.map((v, i) => v * z[i])];
    const opts = () => ({ resamples: 400, level: 0.9, rng: createRng(3).fork("bootstrap") });
    const batch = bootstrapPearsonCis(rows, y, opts());
    rows.forEach((row, e) => {
      const single = bootstrapCi(row.length, (idx) => pearson(gather(row, idx), gather(y, idx)), opts());
      expect(batch[e][0]).toBeCloseTo(single[0], 10);
      expect(batch[e][1]).toBeCloseTo(single[1], 10);
    });
  });
});

describe("permutation p-values", () => {
  it("are reproducible, two-sided and never zero", () => {
    const opts = () => ({ permutations: 2000, rng: createRng(11).fork("permutation") });
    const p = permutationPValue(x, y, opts());
    expect(permutationPValue(x, y, opts())).toBe(p);
    // r = 0.93 on 12 points: scipy's t-test p is 1.1e-5, so almost no shuffle reaches it and
    // p sits at the +1 floor, 1 / 2001.
    expect(p).toBeGreaterThanOrEqual(1 / 2001);
    expect(p).toBeLessThan(5 / 2001);
    // Sign of r does not matter (two-sided).
    expect(
      permutationPValue(
        x.map((v) => -v),
        y,
        opts(),
      ),
    ).toBe(p);
  });

  it("converge to the exact enumeration over all pairings", () => {
    // stats.reference.py enumerates all 7! = 5040 pairings: 1264 have |r| >= observed, p = 0.2507936507936508.
    const a = [0.4, 1.3, 0.2, 2.2, 1.0, 1.9, 0.7];
    const b = [1.1, 0.9, 0.3, 1.5, 2.0, 1.2, 0.8];
    const p = permutationPValue(a, b, { permutations: 20_000, rng: createRng(1).fork("permutation") });
    // Monte Carlo standard error at p = 0.25 with 20,000 shuffles is 0.003; allow about 4 of them.
    expect(Math.abs(p - 0.2507936507936508)).toBeLessThan(0.012);
  });

  it("the shared-shuffle batch equals one-at-a-time p-values", () => {
    const rows = [x, z, x.map((v, i) => v - 3 * z[i])];
    const opts = () => ({ permutations: 1000, rng: createRng(2).fork("permutation") });
    const batch = permutationPValues(rows, y, opts());
    rows.forEach((row, e) => {
      expect(batch[e]).toBe(permutationPValue(row, y, opts()));
    });
  });
});
