import { describe, expect, it } from "vitest";
import { intransitiveTriadShare, intransitiveTriads, positionBias, winMatrix } from "./diagnostics.js";
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

describe("intransitiveTriads", () => {
  it("counts each activity's decided and cyclic triads in a hand-worked tournament", () => {
    // 0 > 1 > 2 > 0 and 1 > 2 > 3 > 1 are cycles; {0,1,3} (3 > 0, 3 > 1, 0 > 1) and {0,2,3}
    // (2 > 3 > 0, 2 > 0) are not. 4 ties with 1, beats 0 and never met 2 or 3, so no triad with 4
    // is decided. Decided per activity: 0 in {012, 013, 023}, 1 in {012, 013, 123}, 2 in
    // {012, 023, 123}, 3 in {013, 023, 123}; cyclic ones among them: 1, 2, 2, 1.
    const m = [
      [null, 0.9, 0.2, 0.3, 0.4],
      [0.1, null, 0.8, 0.1, 0.5],
      [0.8, 0.2, null, 0.7, null],
      [0.7, 0.9, 0.3, null, null],
      [0.6, 0.5, null, null, null],
    ];
    const { all, byActivity } = intransitiveTriads(m);
    expect(all).toEqual({ decided: 4, cyclic: 2 });
    expect(byActivity).toEqual([
      { decided: 3, cyclic: 1 },
      { decided: 3, cyclic: 2 },
      { decided: 3, cyclic: 2 },
      { decided: 3, cyclic: 1 },
      { decided: 0, cyclic: 0 },
    ]);
    expect(intransitiveTriadShare(m)).toBe(2 / 4);
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
