import { createRng, percentileInterval } from "@pva/core";
import { describe, expect, it } from "vitest";
import { allOrderedPairs } from "../design/full-design.js";
import { simulateChoices } from "../simulated-choices.js";
import { bootstrapBradleyTerry, strengthSample } from "./bootstrap.js";
import { fitBradleyTerry } from "./bradley-terry.js";
import { buildPairTable } from "./pair-table.js";

describe("bootstrapBradleyTerry", () => {
  it("gives intervals that cover the true utilities near the nominal rate over repeated simulations", () => {
    const size = 64;
    const level = 0.9;
    const simulations = 10;
    const rng = createRng("bootstrap-coverage");
    const pairs = allOrderedPairs(size);
    let covered = 0;
    let intervals = 0;
    for (let s = 0; s < simulations; s++) {
      const sim = rng.fork(`simulation-${s}`);
      const truth = Array.from({ length: size }, () => sim.normal());
      const mean = truth.reduce((x, y) => x + y, 0) / size;
      // one sampled choice per ordered pair: binomial noise, as with sampled API answers
      const table = buildPairTable(
        size,
        simulateChoices(truth, pairs, { rng: sim.fork("choices"), kind: "hard" }),
      );
      const fit = fitBradleyTerry(table);
      const boot = bootstrapBradleyTerry(table, fit, { resamples: 150, rng: sim.fork("bootstrap") });
      for (let i = 0; i < size; i++) {
        const [low, high] = percentileInterval(strengthSample(boot, size, i), level);
        if (truth[i] - mean >= low && truth[i] - mean <= high) covered++;
        intervals++;
      }
    }
    const coverage = covered / intervals;
    // 640 intervals: a binomial s.e. of about 0.012 around 0.90
    expect(coverage).toBeGreaterThan(0.86);
    expect(coverage).toBeLessThan(0.95);
  });

  it("is reproducible from its seed and differs across seeds", () => {
    const rng = createRng("bootstrap-seed");
    const truth = [0.5, 0, -0.5, 1];
    const table = buildPairTable(4, simulateChoices(truth, allOrderedPairs(4), { rng, kind: "hard" }));
    const fit = fitBradleyTerry(table);
    const run = (seed: string) => bootstrapBradleyTerry(table, fit, { resamples: 50, rng: createRng(seed) });
    expect(run("a").strength).toEqual(run("a").strength);
    expect(run("a").strength).not.toEqual(run("b").strength);
  });

  it("interpolates percentiles like numpy's default", () => {
    // numpy.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2.5, 97.5]) -> [1.225, 9.775]
    const [low, high] = percentileInterval([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 0.95);
    expect(low).toBeCloseTo(1.225, 10);
    expect(high).toBeCloseTo(9.775, 10);
  });
});
