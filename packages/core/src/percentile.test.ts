import { describe, expect, it } from "vitest";
import { percentileInterval, percentileSorted } from "./percentile.js";

describe("percentile intervals", () => {
  it("interpolate like numpy.percentile (type 7)", () => {
    // numpy.percentile([0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8], [2.5, 97.5]) -> [0.115, 0.885]
    const [lo, hi] = percentileInterval([0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8], 0.95);
    expect(lo).toBeCloseTo(0.115, 12);
    expect(hi).toBeCloseTo(0.885, 12);
    expect(percentileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it("leaves out NaN draws (degenerate resamples), and has no interval without draws", () => {
    expect(percentileInterval([Number.NaN, 1, 3, Number.NaN], 1)).toEqual([1, 3]);
    expect(percentileInterval([Number.NaN], 0.9)).toEqual([Number.NaN, Number.NaN]);
  });
});
