import { createRng } from "@pva/core";
import { describe, expect, it } from "vitest";
import { allOrderedPairs } from "../design/full-design.js";
import { simulateChoices } from "../simulated-choices.js";
import { ELO_MEAN, eloFromStrength, sequentialElo } from "./elo.js";
import type { Outcome } from "./pair-table.js";

describe("eloFromStrength", () => {
  it("puts mean strength at 1500 and 10:1 odds at 400 points", () => {
    expect(eloFromStrength(0)).toBe(1500);
    expect(eloFromStrength(Math.log(10))).toBeCloseTo(1900, 10);
    expect(eloFromStrength(-Math.log(10) / 2)).toBeCloseTo(1300, 10);
  });
});

describe("sequentialElo", () => {
  it("reproduces a hand-computed single game", () => {
    // equal ratings: expected 0.5, K = 32, win -> +16 / -16 whatever the order
    const games: Outcome[] = [{ first: 0, second: 1, scoreFirst: 1 }];
    const elo = sequentialElo(2, games, { rng: createRng(1), orders: 3, kFactor: 32 });
    expect(elo[0]).toBeCloseTo(1516, 10);
    expect(elo[1]).toBeCloseTo(1484, 10);
  });

  it("keeps the mean at 1500 and orders activities like their utilities", () => {
    const rng = createRng("sequential-elo");
    const truth = [2, 1, 0, -1, -2];
    const games = simulateChoices(truth, allOrderedPairs(5).concat(allOrderedPairs(5)), {
      rng,
      kind: "hard",
    });
    const elo = sequentialElo(5, games, { rng: rng.fork("orders"), orders: 200 });
    const mean = elo.reduce((x, y) => x + y, 0) / elo.length;
    expect(mean).toBeCloseTo(ELO_MEAN, 8);
    expect(elo[0]).toBeGreaterThan(elo[4] + 100);
  });

  it("depends on the order of a single pass, which averaging over orders removes", () => {
    const games: Outcome[] = [
      { first: 0, second: 1, scoreFirst: 1 },
      { first: 1, second: 0, scoreFirst: 1 },
    ];
    const one = sequentialElo(2, games, { rng: createRng("x"), orders: 1 });
    const many = sequentialElo(2, games, { rng: createRng("x"), orders: 400 });
    // one order: whoever won last is ahead; many orders: nearly level
    expect(Math.abs(one[0] - one[1])).toBeGreaterThan(1);
    expect(Math.abs(many[0] - many[1])).toBeLessThan(Math.abs(one[0] - one[1]) / 5);
  });
});
