import { parseHookSite } from "@pva/lm";
import { describe, expect, it } from "vitest";
import { defaultLayer, meanResidualActivations, residSite } from "./residual-activations.js";
import { syntheticModel } from "./synthetic-model.test-support.js";

// Word k has activation (k, 1) at layer 0 and twice that at layer 1.
const vocabulary = ["w0", "w1", "w2", "w3", "w4"];
const model = syntheticModel(
  vocabulary,
  vocabulary.map((_, k) => Float64Array.from([k, 1])),
);

describe("mean residual activations", () => {
  it("average each text from the token offset on, per layer", async () => {
    const acts = await meanResidualActivations(model, ["w0 w1 w2 w3 w4", "w4 w4"], {
      layers: [0, 1],
      tokenOffset: 2,
    });
    // Text 1 averages positions 2..4: words 2, 3, 4 -> (3, 1). Text 2 is shorter than the offset
    // and falls back to its last token -> (4, 1).
    expect(Array.from(acts.means.get(0)![0])).toEqual([3, 1]);
    expect(Array.from(acts.means.get(0)![1])).toEqual([4, 1]);
    expect(Array.from(acts.means.get(1)![0])).toEqual([6, 2]);
    // Norms over the 4 averaged positions: |(2,1)|, |(3,1)|, |(4,1)|, |(4,1)|.
    const expected = (Math.hypot(2, 1) + Math.hypot(3, 1) + 2 * Math.hypot(4, 1)) / 4;
    expect(acts.meanNorm.get(0)).toBeCloseTo(expected, 6);
    expect(acts.meanNorm.get(1)).toBeCloseTo(2 * expected, 6);
  });

  it("name the site and the default layer the study uses", () => {
    expect(residSite(12)).toBe("blocks.12.hook_resid_post");
    expect(parseHookSite(residSite(12))).toBe("blocks.12.hook_resid_post");
    expect(defaultLayer(32)).toBe(21);
    expect(defaultLayer(2)).toBe(1);
  });
});
