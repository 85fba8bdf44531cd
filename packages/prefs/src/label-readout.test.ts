import { describe, expect, it } from "vitest";
import { labelOfToken, readLabels } from "./label-readout.js";

describe("label readout", () => {
  it("counts a label alone or after one space mark, and nothing merged with it", () => {
    for (const t of ["A", " A", "ĠA", "▁A"]) expect(labelOfToken(t)).toBe("A");
    for (const t of ["B", " B", "ĠB", "▁B"]) expect(labelOfToken(t)).toBe("B");
    for (const t of ["(A", "A)", "  A", "\nA", "AB", "a", "Alpha", "(", " "])
      expect(labelOfToken(t)).toBeNull();
  });

  it("sums variants, renormalises over the labels and reports the rest as off-label", () => {
    const r = readLabels([
      { token: "A", probability: 0.4 },
      { token: " A", probability: 0.1 },
      { token: "B", probability: 0.25 },
      { token: "I", probability: 0.2 },
    ]);
    expect(r).not.toBeNull();
    expect(r!.pA).toBeCloseTo(0.5 / 0.75, 12);
    expect(r!.pB).toBeCloseTo(0.25 / 0.75, 12);
    expect(r!.pA + r!.pB).toBeCloseTo(1, 12);
    // the unseen tail (0.05) of a top-k list is off-label too
    expect(r!.offLabelMass).toBeCloseTo(0.25, 12);
    expect(r!.topToken).toBe("A");
  });

  it("returns null when neither label appears", () => {
    expect(readLabels([{ token: "I", probability: 0.9 }])).toBeNull();
  });
});
