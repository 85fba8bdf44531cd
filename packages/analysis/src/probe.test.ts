import { type EmotionVectorsMeta, InterruptedError } from "@pva/core";
import { tokenSpan } from "@pva/lm";
import { describe, expect, it } from "vitest";
import { probeScores } from "./probe.js";
import { probePrompt } from "./probe-prompt.js";
import { syntheticModel } from "./synthetic-model.test-support.js";

// Layer L multiplies each token's row by L + 1. "about" also occurs in the template, before the
// activity, so a string search for the activity's words would land on the wrong token.
const vocabulary = ["explain", "science", "talk", "about", "Assistant"];
const table = [
  [1, 0, 0],
  [0, 1, 0],
  [1, 0, 0],
  [0, 0, 1],
  [0, 3, 0],
].map((row) => Float64Array.from(row));
const model = syntheticModel(vocabulary, table, 2, Float64Array.from([50, 50, 50]));

const meta: EmotionVectorsMeta = {
  model: "synthetic",
  modelHash: "synthetic-hash",
  emotions: ["happy", "sad"],
  layers: [1],
  hiddenSize: 3,
  corpusHash: "c",
  tokenOffset: 0,
  neutralVarianceShare: 0,
  neutralComponentsRemoved: { "1": 0 },
  meanResidNorm: { "1": 1 },
  geometry: {},
};
// Unnormalised on purpose: probes project on the unit vectors e0 and -e2.
const vectors = { meta, vectors: new Map([[1, Float32Array.from([2, 0, 0, 0, 0, -5])]]) };
const activities = [
  { id: "explain", text: "explain science" },
  { id: "talk", text: "talk about about" },
];

describe("probe prompt", () => {
  it("locates the activity by construction and maps it to tokens by offsets", () => {
    const prompt = probePrompt(
      "Human: How would you feel about {activity}?\n\nAssistant:",
      "talk about about",
    );
    expect(prompt.text.slice(...prompt.span)).toBe("talk about about");
    // BOS [0,0] never belongs; " talk" style tokens that start at the space still overlap.
    expect(
      tokenSpan(
        [
          [0, 0],
          [0, 5],
          [5, 11],
          [11, 16],
        ],
        [6, 16],
      ),
    ).toEqual({ start: 2, end: 4 });
    expect(() => probePrompt("no slot", "x")).toThrow("probe.template: expected exactly one {activity} slot");
  });
});

describe("probe scores", () => {
  it("average the unit-vector projection over the activity's tokens", async () => {
    const probes = await probeScores(model, vectors, activities);
    expect(probes.readout).toBe("activity-tokens");
    expect(probes.activities).toEqual(["explain", "talk"]);
    expect(probes.emotions).toEqual(["happy", "sad"]);
    expect(probes.layers.map((l) => l.layer)).toEqual([1]);
    const [explain, talk] = probes.layers[0].scores;
    // "explain science" rows x2: (2,0,0), (0,2,0) -> happy (2 + 0)/2 = 1, sad 0.
    expect(explain[0]).toBeCloseTo(1, 12);
    expect(explain[1]).toBeCloseTo(0, 12);
    // "talk about about" rows x2: (2,0,0), (0,0,2), (0,0,2) -> happy 2/3, sad -(0 + 2 + 2)/3.
    expect(talk[0]).toBeCloseTo(2 / 3, 12);
    expect(talk[1]).toBeCloseTo(-4 / 3, 12);
  });

  it("read the final token instead when asked", async () => {
    const template = "Human: How would you feel about {activity}? Assistant";
    const probes = await probeScores(model, vectors, activities, { readout: "final-token", template });
    // The last token is "Assistant": (0, 3, 0) x2, orthogonal to both vectors; BOS is never read.
    expect(probes.layers[0].scores).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const tilted = { meta, vectors: new Map([[1, Float32Array.from([0, 1, 0, 0, 3, 4])]]) };
    const again = await probeScores(model, tilted, activities, { readout: "final-token", template });
    expect(again.layers[0].scores[0][0]).toBeCloseTo(6, 12);
    expect(again.layers[0].scores[0][1]).toBeCloseTo((6 * 3) / 5, 12);
  });

  it("stop after the activity in flight when the signal fires, or before any when it already had", async () => {
    let passes = 0;
    const controller = new AbortController();
    const counted = {
      ...model,
      forward: async (tokens: number[], opts?: Parameters<typeof model.forward>[1]) => {
        passes++;
        controller.abort();
        return model.forward(tokens, opts);
      },
    };
    await expect(
      probeScores(counted, vectors, activities, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: "E_INTERRUPTED", stage: "probe" });
    expect(passes).toBe(1);
    await expect(
      probeScores(counted, vectors, activities, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(passes).toBe(1);
  });

  it("refuse vectors of another width or a missing layer", async () => {
    await expect(probeScores(model, vectors, activities, { layers: [0] })).rejects.toThrow(
      "vectors: no vectors for layer 0 (have 1)",
    );
    const wide = { meta: { ...meta, hiddenSize: 4 }, vectors: vectors.vectors };
    await expect(probeScores(model, wide, activities)).rejects.toThrow(
      "vectors: hiddenSize 4 does not match",
    );
  });
});
