import { createRng } from "@pva/core";
import { sampleRankCorrelation } from "simple-statistics";
import { describe, expect, it } from "vitest";
import { fitBradleyTerry } from "../fit/bradley-terry.js";
import { buildPairTable, type Outcome } from "../fit/pair-table.js";
import { simulateChoices } from "../simulated-choices.js";
import { createActiveDesign } from "./active-design.js";
import { allOrderedPairs, createFullDesign } from "./full-design.js";

const size = 64;
const fullComparisons = size * (size - 1);

/** A simulated model: each ordered prompt has one fixed answer, as a logits readout does. */
function simulatedModel(seed: string) {
  const rng = createRng(seed);
  const truth = Array.from({ length: size }, () => 1.2 * rng.normal());
  const answers = simulateChoices(truth, allOrderedPairs(size), {
    rng: rng.fork("answers"),
    promptNoise: 0.7,
    positionBias: 0.3,
  });
  const lookup = new Map(answers.map((o) => [o.first * size + o.second, o]));
  return { answers, ask: (a: number, b: number) => lookup.get(a * size + b)! };
}

function runDesign(design: ReturnType<typeof createActiveDesign>, ask: (a: number, b: number) => Outcome) {
  const outcomes: Outcome[] = [];
  const batches: number[] = [];
  for (;;) {
    const batch = design.next(outcomes);
    if (batch.length === 0) return { outcomes, batches };
    batches.push(batch.length);
    for (const { a, b } of batch) outcomes.push(ask(a, b));
  }
}

describe("createFullDesign", () => {
  it("asks every ordered pair once, then stops", () => {
    const design = createFullDesign(5);
    const first = design.next([]);
    expect(first).toHaveLength(20);
    expect(new Set(first.map(({ a, b }) => `${a}-${b}`)).size).toBe(20);
    expect(design.next([])).toEqual([]);
  });
});

describe("createActiveDesign", () => {
  it("starts sparse: every activity in at least two comparisons, each pair in both orders", () => {
    const design = createActiveDesign(size, { budget: 1200, rounds: 20, rng: createRng(3) });
    const start = design.next([]);
    const degree = new Array(size).fill(0);
    for (const { a } of start) degree[a]++;
    expect(Math.min(...degree)).toBeGreaterThanOrEqual(2);
    expect(start.length).toBeLessThanOrEqual(2 * size);
    const ordered = new Set(start.map(({ a, b }) => `${a}-${b}`));
    for (const { a, b } of start) expect(ordered.has(`${b}-${a}`)).toBe(true);
  });

  it("reaches Spearman >= 0.95 against the full design's ranking with at most 30% of its comparisons", () => {
    for (const seed of ["active-1", "active-2", "active-3"]) {
      const model = simulatedModel(seed);
      const full = fitBradleyTerry(buildPairTable(size, model.answers));
      const budget = Math.floor(0.3 * fullComparisons);
      const design = createActiveDesign(size, { budget, rounds: 20, rng: createRng(seed).fork("design") });
      const { outcomes } = runDesign(design, model.ask);
      expect(outcomes.length).toBeLessThanOrEqual(budget);
      const pairs = new Set(outcomes.map((o) => `${o.first}-${o.second}`));
      expect(pairs.size).toBe(outcomes.length);
      const active = fitBradleyTerry(buildPairTable(size, outcomes));
      const rho = sampleRankCorrelation(Array.from(full.strength), Array.from(active.strength));
      expect(rho).toBeGreaterThanOrEqual(0.95);
    }
  });

  it("stops at the budget when the ranking keeps changing", () => {
    const model = simulatedModel("active-budget");
    const design = createActiveDesign(size, {
      budget: 400,
      rounds: 5,
      rng: createRng(9),
      stableSpearman: 1.01,
    });
    const { outcomes } = runDesign(design, model.ask);
    expect(outcomes.length).toBeLessThanOrEqual(400);
    expect(outcomes.length).toBeGreaterThan(350);
  });

  it("says why it stopped when the ranking stopped changing before the budget was spent", () => {
    const model = simulatedModel("active-stable");
    const design = createActiveDesign(size, { budget: fullComparisons, rounds: 20, rng: createRng(5) });
    const { outcomes } = runDesign(design, model.ask);
    expect(outcomes.length).toBeLessThan(fullComparisons);
    const asked = outcomes.length.toLocaleString("en-US");
    expect(design.stopReason?.()).toBe(`ranking stable for 2 rounds after ${asked} of 4,032 comparisons`);
  });

  it("gives no stop reason when it spent its budget, and says so when the budget exceeds every pair", () => {
    const model = simulatedModel("active-spent");
    const spent = createActiveDesign(size, {
      budget: 400,
      rounds: 5,
      rng: createRng(9),
      stableSpearman: 1.01,
    });
    const { outcomes } = runDesign(spent, model.ask);
    expect(outcomes.length).toBeGreaterThanOrEqual(399);
    expect(spent.stopReason?.()).toBeNull();

    const few = createActiveDesign(5, { budget: 100, rounds: 3, rng: createRng(2), stableSpearman: 1.01 });
    const asked: number[] = [];
    for (let batch = few.next([]); batch.length > 0; batch = few.next([])) asked.push(batch.length);
    expect(asked.reduce((s, n) => s + n, 0)).toBe(20);
    expect(few.stopReason?.()).toBe("all 20 ordered pairs asked, fewer than the budget of 100");
  });

  it("asks the same pairs again for the same seed and answers (so a resumed run re-finds its records)", () => {
    const model = simulatedModel("active-repeat");
    const run = () =>
      runDesign(createActiveDesign(size, { budget: 600, rounds: 6, rng: createRng("same") }), model.ask)
        .outcomes;
    expect(run()).toEqual(run());
  });
});
