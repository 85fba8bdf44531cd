import { describe, expect, it } from "vitest";
import { intransitiveTriadShare, positionBias, winMatrix } from "./diagnostics.js";
import type { Outcome } from "./fit/pair-table.js";

describe("winMatrix", () => {
  it("pools both orders into P(row over column) and leaves unseen pairs null", () => {
    const outcomes: Outcome[] = [
      { first: 0, second: 1, scoreFirst: 0.9 },
      { first: 1, second: 0, scoreFirst: 0.3 },
    ];
    const m = winMatrix(3, outcomes);
    expect(m[0][1]).toBeCloseTo((0.9 + 0.7) / 2, 12);
    expect(m[1][0]).toBeCloseTo((0.1 + 0.3) / 2, 12);
    expect(m[0][2]).toBeNull();
    expect(m[1][1]).toBeNull();
  });
});

describe("intransitiveTriadShare", () => {
  it("is 0 for a consistent order and counts rock-paper-scissors cycles", () => {
    const ordered = [
      [null, 0.8, 0.9, 0.7],
      [0.2, null, 0.6, 0.8],
      [0.1, 0.4, null, 0.6],
      [0.3, 0.2, 0.4, null],
    ];
    expect(intransitiveTriadShare(ordered)).toBe(0);
    // 0 > 1 > 2 > 0 is a cycle; the other three triads (with 3, who loses to all) are not
    const cyclic = [
      [null, 0.8, 0.3, 0.7],
      [0.2, null, 0.6, 0.8],
      [0.7, 0.4, null, 0.6],
      [0.3, 0.2, 0.4, null],
    ];
    expect(intransitiveTriadShare(cyclic)).toBeCloseTo(1 / 4, 12);
  });

  it("leaves out triads with a tie or a missing pair", () => {
    const m = [
      [null, 0.5, 0.3],
      [0.5, null, 0.6],
      [0.7, 0.4, null],
    ];
    expect(intransitiveTriadShare(m)).toBe(0);
  });
});

describe("positionBias", () => {
  it("averages P(first) overall and over each activity's comparisons", () => {
    const outcomes: Outcome[] = [
      { first: 0, second: 1, scoreFirst: 1 },
      { first: 1, second: 0, scoreFirst: 1 },
      { first: 1, second: 2, scoreFirst: 0 },
    ];
    const bias = positionBias(3, outcomes);
    expect(bias.pFirst).toBeCloseTo(2 / 3, 12);
    expect(bias.pFirstWhenPresent[0]).toBe(1);
    expect(bias.pFirstWhenPresent[1]).toBeCloseTo(2 / 3, 12);
    expect(bias.pFirstWhenPresent[2]).toBe(0);
  });
});
