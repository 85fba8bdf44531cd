import { describe, expect, it } from "vitest";
import { type StudyConfig, StudyConfigSchema } from "./study-config.js";

describe("StudyConfigSchema", () => {
  it("fills every default of the contract from a minimal study", () => {
    const config = StudyConfigSchema.parse({
      name: "emotion-preferences",
      model: { source: "builtin:random-tiny" },
    });
    const expected: StudyConfig = {
      name: "emotion-preferences",
      seed: 1234,
      model: { source: "builtin:random-tiny", backend: "embedded", endpoints: [], name: null },
      activities: "default",
      emotions: "all",
      prompts: {
        choice: "Would you prefer to (A) {a} or (B) {b}?",
        probe: "How would you feel about {activity}?",
      },
      elicitation: {
        template: "raw",
        readout: "logits",
        samplesPerPair: 5,
        temperature: 1,
        refusalPolicy: "skip",
        design: { kind: "full" },
        concurrency: 4,
        maxRetries: 6,
      },
      rating: { bootstrap: 1000, ciLevel: 0.95, prior: 0.5 },
      vectors: {
        corpus: "builtin",
        layers: "auto",
        tokenOffset: 8,
        neutralVarianceShare: 0.5,
        storiesPerEmotion: null,
      },
      probe: { readout: "activity-tokens" },
      analysis: { bootstrap: 1000, permutations: 1000, fdrAlpha: 0.05, valenceNorms: null },
      steering: null,
      output: { dir: "runs" },
    };
    expect(config).toEqual(expected);
  });

  it("fills defaults inside a partly written section and an active design", () => {
    const config = StudyConfigSchema.parse({
      name: "x",
      model: { source: "m" },
      elicitation: { readout: "samples", design: { kind: "active" } },
      steering: { emotions: ["blissful", "hostile"] },
    });
    expect(config.elicitation).toMatchObject({ readout: "samples", samplesPerPair: 5, concurrency: 4 });
    expect(config.elicitation.design).toEqual({ kind: "active", budget: 1200, rounds: 20 });
    expect(config.steering).toEqual({
      emotions: ["blissful", "hostile"],
      strengths: [0.5],
      layers: "auto",
      splits: 2,
      coherencePrompt: true,
    });
  });

  it("round-trips: a parsed config parses to itself", () => {
    const config = StudyConfigSchema.parse({
      name: "x",
      seed: 7,
      model: { source: "m", backend: "openai", endpoints: ["http://127.0.0.1:8080/v1"], name: "smol" },
      activities: [
        { id: "a", text: "do a", category: "Helpful" },
        { id: "b", text: "do b", category: "Unsafe" },
      ],
      emotions: ["at ease", "self-confident"],
      vectors: { layers: [3, 5] },
      steering: { emotions: ["at ease"], strengths: [0.25, 0.5], layers: [2, 6] },
    });
    expect(StudyConfigSchema.parse(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it("accepts a steering layer sweep and leaves it out when not written", () => {
    const parse = (steering: object) =>
      StudyConfigSchema.parse({ name: "x", model: { source: "m" }, steering }).steering;
    expect(parse({ emotions: ["calm"], layerSweep: [0, 3] })?.layerSweep).toEqual([0, 3]);
    // Absent, not an empty default: a study without a sweep keeps the hash it had before the field.
    expect(parse({ emotions: ["calm"] })).not.toHaveProperty("layerSweep");
    expect(() => parse({ emotions: ["calm"], layerSweep: [-1] })).toThrow();
  });

  it("takes model.quantize from the embedded runtime's types and leaves it out when not written", () => {
    const model = (m: object) => StudyConfigSchema.parse({ name: "x", model: { source: "m", ...m } }).model;
    expect(model({ quantize: "q4_k" }).quantize).toBe("q4_k");
    // Absent, not a default: a study without it keeps the hash it had before the field.
    expect(model({})).not.toHaveProperty("quantize");
    expect(() => model({ quantize: "q3_k" })).toThrow(/expected one of q8_0, q4_0, q4_k, q5_k, q6_k/);
  });

  it("trims activity texts so that stray spaces do not create new prompts", () => {
    const config = StudyConfigSchema.parse({
      name: "x",
      model: { source: "m" },
      activities: [
        { id: "a", text: "  do a ", category: "Helpful" },
        { id: "b", text: "do b", category: "Social" },
      ],
    });
    expect(config.activities).toEqual([
      { id: "a", text: "do a", category: "Helpful" },
      { id: "b", text: "do b", category: "Social" },
    ]);
  });
});
