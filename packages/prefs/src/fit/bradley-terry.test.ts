import { createRng } from "@pva/core";
import { sampleRankCorrelation } from "simple-statistics";
import { describe, expect, it } from "vitest";
import { allOrderedPairs } from "../design/full-design.js";
import { simulateChoices } from "../simulated-choices.js";
import { fitBradleyTerry } from "./bradley-terry.js";
import { buildPairTable, type Outcome } from "./pair-table.js";

// The data of bradley-terry.reference.py; item 0 wins every comparison it takes part in.
const OUTCOMES: Outcome[] = (
  [
    [0, 1, 1.0],
    [1, 0, 0.0],
    [0, 2, 1.0],
    [2, 0, 0.0],
    [0, 3, 1.0],
    [3, 0, 0.0],
    [1, 2, 0.7],
    [2, 1, 0.45],
    [1, 3, 0.9],
    [3, 1, 0.2],
    [2, 3, 0.6],
    [3, 2, 0.5],
    [1, 4, 0.8],
    [4, 1, 0.35],
    [2, 4, 1.0],
    [4, 3, 0.55],
    [3, 4, 0.75],
    [4, 2, 0.1],
  ] as const
).map(([first, second, scoreFirst]) => ({ first, second, scoreFirst }));

describe("fitBradleyTerry", () => {
  it("matches scipy's MAP fit with a prior and a first-position term", () => {
    // scipy.optimize.minimize(BFGS, gtol 1e-12) on the same objective: bradley-terry.reference.py
    const fit = fitBradleyTerry(buildPairTable(5, OUTCOMES), { prior: 0.5, positionBias: true });
    const scipy = [2.90023712, 0.00130964, -0.33822098, -1.02724076, -1.53608502];
    scipy.forEach((value, i) => {
      expect(fit.strength[i]).toBeCloseTo(value, 5);
    });
    expect(fit.positionBias).toBeCloseTo(0.32600361, 5);
    expect(fit.logPosterior).toBeCloseTo(-9.67074737, 6);
  });

  it("matches scipy with a stronger prior and no position term", () => {
    const fit = fitBradleyTerry(buildPairTable(5, OUTCOMES), { prior: 2, positionBias: false });
    const scipy = [1.77620328, 0.09632192, -0.15574432, -0.68309884, -1.03368204];
    scipy.forEach((value, i) => {
      expect(fit.strength[i]).toBeCloseTo(value, 5);
    });
    expect(fit.positionBias).toBe(0);
    expect(fit.logPosterior).toBeCloseTo(-15.82719073, 6);
  });

  it("keeps an activity that wins everything finite, and shrinks it less as data grows", () => {
    const sweep: Outcome[] = [1, 2, 3].flatMap((j) => [
      { first: 0, second: j, scoreFirst: 1 },
      { first: j, second: 0, scoreFirst: 0 },
    ]);
    const once = fitBradleyTerry(buildPairTable(4, sweep), { prior: 0.5 });
    const tenTimes = fitBradleyTerry(buildPairTable(4, Array(10).fill(sweep).flat()), { prior: 0.5 });
    expect(Number.isFinite(once.strength[0])).toBe(true);
    expect(once.strength[0]).toBeGreaterThan(1);
    expect(tenTimes.strength[0]).toBeGreaterThan(once.strength[0]);
    expect(Number.isFinite(tenTimes.strength[0])).toBe(true);
  });

  it("converges to the same answer from a warm start in fewer steps", () => {
    const table = buildPairTable(5, OUTCOMES);
    const cold = fitBradleyTerry(table);
    const warm = fitBradleyTerry(table, { start: cold.parameters });
    expect(warm.iterations).toBeLessThan(cold.iterations);
    cold.strength.forEach((value, i) => {
      expect(warm.strength[i]).toBeCloseTo(value, 9);
    });
  });

  describe("on 64 activities with known utilities, full design", () => {
    const size = 64;
    const rng = createRng("bt-ground-truth");
    const truth = Array.from({ length: size }, () => 1.2 * rng.normal());
    const pairs = allOrderedPairs(size);

    it.each([
      { bias: 0, label: "no position bias" },
      { bias: 0.8, label: "a strong first-position bias" },
    ])("recovers the ranking and the bias with $label", ({ bias }) => {
      const outcomes = simulateChoices(truth, pairs, {
        rng: rng.fork(`choices-${bias}`),
        positionBias: bias,
        promptNoise: 0.7,
      });
      const fit = fitBradleyTerry(buildPairTable(size, outcomes));
      const rho = sampleRankCorrelation(truth, Array.from(fit.strength));
      expect(rho).toBeGreaterThanOrEqual(0.95);
      // prompt noise shrinks logit-space effects slightly (the mean of a sigmoid is flatter), so a small tolerance
      expect(fit.positionBias).toBeGreaterThan(bias * 0.85 - 0.05);
      expect(fit.positionBias).toBeLessThan(bias * 1.05 + 0.05);
    });
  });

  it("refuses prior 0 (the plain MLE has no finite strength for an activity that wins everything)", () => {
    const table = buildPairTable(5, OUTCOMES);
    expect(() => fitBradleyTerry(table, { prior: 0 })).toThrow("Bradley-Terry prior must be > 0, got 0");
    expect(() => fitBradleyTerry(table, { prior: -1 })).toThrow("Bradley-Terry prior must be > 0, got -1");
  });
});
