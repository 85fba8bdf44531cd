import { createRng, InterruptedError, type Rng } from "@pva/core";
import { describe, expect, it } from "vitest";
import { cosine } from "./cosine.js";
import { syntheticModel } from "./synthetic-model.test-support.js";
import { emotionVectors, emotionVectorsFromActivations } from "./vectors.js";

const HIDDEN = 48;
const EMOTIONS = ["joyful", "calm", "grateful", "proud", "hostile", "afraid", "ashamed", "bored"];

function gaussian(rng: Rng, n: number, sd = 1): Float64Array {
  return Float64Array.from({ length: n }, () => sd * rng.normal());
}

function unit(v: Float64Array): Float64Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function removeComponent(v: Float64Array, u: Float64Array): Float64Array {
  const dot = v.reduce((s, x, i) => s + x * u[i], 0);
  return v.map((x, i) => x - dot * u[i]);
}

/**
 * Planted signal: each emotion's stories carry a known unit direction d_e; every text (stories and
 * neutral ones alike) also carries a confound direction c with a large random amplitude, which is
 * what dominates the neutral texts' variance; plus a shared offset and small isotropic noise.
 */
function plantedActivations(seed: number) {
  const rng = createRng(seed).fork("planted-signal");
  const confound = unit(gaussian(rng, HIDDEN));
  const base = gaussian(rng, HIDDEN, 2);
  const directions = EMOTIONS.map(() => unit(removeComponent(gaussian(rng, HIDDEN), confound)));
  const text = (signal: Float64Array | null, confoundSd: number) => {
    const amplitude = confoundSd * rng.normal();
    const noise = gaussian(rng, HIDDEN, 0.1);
    return base.map((b, h) => b + (signal ? signal[h] : 0) + amplitude * confound[h] + noise[h]);
  };
  const stories = EMOTIONS.flatMap((emotion, e) =>
    Array.from({ length: 20 }, () => ({ emotion, activation: text(directions[e], 4) })),
  );
  const neutral = Array.from({ length: 60 }, () => text(null, 5));
  const meanDirection = new Float64Array(HIDDEN);
  for (const d of directions) for (let h = 0; h < HIDDEN; h++) meanDirection[h] += d[h] / directions.length;
  const truth = directions.map((d) => d.map((x, h) => x - meanDirection[h]));
  return { stories, neutral, confound, truth };
}

describe("emotion vectors on planted activations", () => {
  const planted = plantedActivations(42);

  it("recover each emotion's direction (cosine >= 0.95) and remove the confound", () => {
    const { vectors, componentsRemoved, neutralExplainedShare } = emotionVectorsFromActivations(
      EMOTIONS,
      planted,
      0.5,
    );
    expect(componentsRemoved).toBe(1);
    expect(neutralExplainedShare).toBeGreaterThan(0.5);
    const cosines = vectors.map((v, e) => cosine(v, planted.truth[e]));
    for (const c of cosines) expect(c).toBeGreaterThanOrEqual(0.95);
    // The removed component is the neutral texts' estimated PC1, which matches c up to noise, so
    // what is left of c is that estimation error (without the projection it is above 0.2, below).
    for (const v of vectors) expect(Math.abs(cosine(v, planted.confound))).toBeLessThan(0.01);
    console.info(`planted-signal: min cosine ${Math.min(...cosines).toFixed(4)}`);
  });

  it("without the neutral projection the confound leaks into the vectors", () => {
    const { vectors, componentsRemoved } = emotionVectorsFromActivations(EMOTIONS, planted, 0);
    expect(componentsRemoved).toBe(0);
    const cosines = vectors.map((v, e) => cosine(v, planted.truth[e]));
    expect(Math.min(...cosines)).toBeLessThan(0.95);
    expect(Math.max(...vectors.map((v) => Math.abs(cosine(v, planted.confound))))).toBeGreaterThan(0.2);
  });

  it("vectors sum to zero over emotions (the mean over emotions is subtracted)", () => {
    const { vectors } = emotionVectorsFromActivations(EMOTIONS, planted, 0.5);
    for (let h = 0; h < HIDDEN; h++)
      expect(Math.abs(vectors.reduce((s, v) => s + v[h], 0))).toBeLessThan(1e-9);
  });

  it("names an emotion that has no stories", () => {
    expect(() => emotionVectorsFromActivations([...EMOTIONS, "serene"], planted, 0.5)).toThrow(
      'corpus: no stories for emotion "serene"',
    );
  });
});

describe("emotionVectors on a model", () => {
  // Hidden size 4: "joy"/"fear"/"calm" words carry axes 0/1/2; every word carries a confound on
  // axis 3 whose size varies by word ("a" small, "b" large), which is all the neutral texts vary in.
  const vocabulary = ["so", "joy", "fear", "calm", "a", "b"];
  const table = [
    [0, 0, 0, 0],
    [1, 0, 0, 0.5],
    [0, 1, 0, -0.5],
    [0, 0, 1, 0.2],
    [0, 0, 0, 1],
    [0, 0, 0, -3],
  ].map((row) => Float64Array.from(row));
  const model = syntheticModel(vocabulary, table, 4);
  const story = (emotion: string, word: string, id: number) => ({
    id: `${emotion}-${id}`,
    emotion,
    cluster: "",
    topic: "t",
    person: "first" as const,
    text: `so so ${word} ${word} ${word}`,
  });
  const corpus = {
    stories: [
      story("joyful", "joy", 1),
      story("joyful", "joy", 2),
      story("afraid", "fear", 1),
      story("calm", "calm", 1),
    ],
    neutral: [
      { id: "n1", domain: "d", text: "so a a" },
      { id: "n2", domain: "d", text: "so b b" },
      { id: "n3", domain: "d", text: "so a b" },
    ],
    hash: "corpus-hash",
  };

  it("builds per-layer [emotions, hidden] vectors with metadata, confound projected out", async () => {
    const ev = await emotionVectors(model, corpus, { layers: [1, 2], tokenOffset: 2 });
    expect(ev.meta.emotions).toEqual(["joyful", "calm", "afraid"]); // catalog order
    expect(ev.meta.layers).toEqual([1, 2]);
    expect(ev.meta.neutralComponentsRemoved).toEqual({ "1": 1, "2": 1 });
    expect(Object.keys(ev.meta.geometry)).toEqual(["1", "2"]);
    expect(ev.meta.geometry["1"].loadings.map((l) => l.emotion)).toEqual(ev.meta.emotions);
    const layer1 = ev.vectors.get(1)!;
    expect(layer1.length).toBe(3 * 4);
    // Layer 1 doubles the table. Means over emotions of axes 0..2 are 2/3 each; axis 3 is removed.
    const expected = [
      [4 / 3, -2 / 3, -2 / 3, 0],
      [-2 / 3, -2 / 3, 4 / 3, 0],
      [-2 / 3, 4 / 3, -2 / 3, 0],
    ].flat();
    Array.from(layer1).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 5);
    });
    // Residual norm over story positions 2..4 (the emotion words) at layer 1, stories weighted alike.
    const norm = 2 * ((2 * Math.hypot(1, 0.5) + Math.hypot(1, 0.5) + Math.hypot(1, 0.2)) / 4);
    expect(ev.meta.meanResidNorm["1"]).toBeCloseTo(norm, 5);
  });

  it("rejects a layer outside the model", async () => {
    await expect(emotionVectors(model, corpus, { layers: [4] })).rejects.toThrow(
      "vectors.layers: layer 4 is outside the model's 0..3",
    );
  });

  /** The model, counting forward passes and calling `during(n)` while the n-th is in flight. */
  const counting = (during: (n: number) => void = () => {}) => {
    let passes = 0;
    const wrapped = {
      ...model,
      forward: async (tokens: number[], opts?: Parameters<typeof model.forward>[1]) => {
        passes++;
        during(passes);
        return model.forward(tokens, opts);
      },
    };
    return { model: wrapped, passes: () => passes };
  };

  it("stops after the text in flight when the signal fires, with an InterruptedError", async () => {
    const controller = new AbortController();
    const run = counting((n) => {
      if (n === 2) controller.abort();
    });
    await expect(
      emotionVectors(run.model, corpus, { layers: [1], signal: controller.signal }),
    ).rejects.toMatchObject({ code: "E_INTERRUPTED", stage: "vectors" });
    expect(run.passes()).toBe(2);
  });

  it("runs no forward pass when the signal fired before the call", async () => {
    const controller = new AbortController();
    controller.abort();
    const run = counting();
    await expect(
      emotionVectors(run.model, corpus, { layers: [1], signal: controller.signal }),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(run.passes()).toBe(0);
  });
});
