import { describe, expect, it } from "vitest";
import type * as z from "zod";
import { emotionCatalog } from "../catalogs/emotions.js";
import { contentHash } from "../hash.js";
import { parseWithSchema } from "../parse-with-schema.js";
import { ActivityCatalogSchema } from "./activity.js";
import { ChoiceRecordSchema, pairIdOf } from "./choice-record.js";
import { NeutralRecordSchema, StoryRecordSchema } from "./corpus.js";
import { CorrelationResultSchema } from "./correlation-result.js";
import { EmotionCatalogSchema } from "./emotion.js";
import { EmotionVectorsMetaSchema } from "./emotion-vectors.js";
import { HumanNormsSchema } from "./human-norms.js";
import { PreferenceScoresSchema } from "./preference-scores.js";
import { ProbeScoresSchema } from "./probe-scores.js";
import { RunManifestSchema } from "./run-manifest.js";
import { SteeringResultSchema } from "./steering-result.js";
import { StudyConfigSchema } from "./study-config.js";

const choice = {
  key: contentHash({ pair: "a|b", sample: 0 }),
  condition: "baseline",
  model: "builtin:random-tiny",
  a: "helpful-explain-science",
  b: "aversive-repeat-sentence",
  pairId: pairIdOf("helpful-explain-science", "aversive-repeat-sentence"),
  order: "ba" as const,
  promptHash: contentHash("prompt"),
  readout: "logits" as const,
  sampleIndex: 0,
  pA: 0.73,
  pB: 0.27,
  offLabelMass: 0.012,
  rawAnswer: "A",
  choice: "A" as const,
  elapsedMs: 12.5,
  attempts: 1,
};

const preferences = {
  model: "builtin:random-tiny",
  condition: "baseline",
  seed: 1234,
  comparisons: 2,
  activities: [
    {
      id: "a",
      text: "do a",
      category: "Helpful",
      strength: 0.5,
      elo: 1586.86,
      eloCi: [1500, 1700],
      eloSequential: 1516,
      comparisons: 2,
      winRate: 1,
      pFirstWhenPresent: 0.5,
      refusals: 0,
      unparseable: 0,
    },
    {
      id: "b",
      text: "do b",
      category: "Unsafe",
      strength: -0.5,
      elo: 1413.14,
      eloCi: [1300, 1500],
      eloSequential: 1484,
      comparisons: 2,
      winRate: 0,
      pFirstWhenPresent: 0.5,
      refusals: 0,
      unparseable: 0,
    },
  ],
  winMatrix: {
    ids: ["a", "b"],
    p: [
      [null, 0.9],
      [0.1, null],
    ],
  },
  diagnostics: {
    pFirst: 0.5,
    pFirstCi: [0.2, 0.8],
    intransitiveTriadShare: 0,
    refusals: 0,
    unparseable: 0,
    meanOffLabelMass: null,
  },
  bootstrap: { resamples: 1000, level: 0.95 },
};

const geometry = {
  pcShares: [0.26, 0.15],
  loadings: [{ emotion: "blissful", pc1: 0.8, pc2: 0.1 }],
  clusterCoherence: { within: 0.4, between: 0.05 },
};

const vectorsMeta = {
  model: "builtin:random-tiny",
  modelHash: "abc",
  emotions: ["blissful", "hostile"],
  layers: [2, 4],
  hiddenSize: 64,
  corpusHash: "def",
  tokenOffset: 8,
  neutralVarianceShare: 0.5,
  neutralComponentsRemoved: { "2": 3, "4": 5 },
  meanResidNorm: { "2": 12.5, "4": 20 },
  geometry: { "2": geometry, "4": geometry },
};

const probes = {
  model: "builtin:random-tiny",
  readout: "final-token",
  template: "Human: How would you feel about {activity}?\n\nAssistant:",
  emotions: ["blissful", "hostile"],
  activities: ["a", "b"],
  layers: [
    {
      layer: 2,
      scores: [
        [0.1, -0.2],
        [0.3, 0.4],
      ],
    },
  ],
};

const correlations = {
  layer: 2,
  readout: "activity-tokens",
  activities: 64,
  bootstrap: 1000,
  permutations: 1000,
  seed: 1234,
  emotions: [
    {
      emotion: "blissful",
      cluster: "Exuberant Joy",
      pearson: 0.71,
      pearsonCi: [0.55, 0.82],
      spearman: 0.68,
      pPermutation: 0.001,
      q: 0.004,
      partialPearson: 0.6,
      valence: null,
    },
  ],
  valence: { source: "pc1", r: 0.76, ci: [0.68, 0.82], n: 171 },
  sentiment: { lexicon: "afinn-165", scores: { a: 2, b: -3 } },
};

const steering = {
  layers: [3, 6],
  splits: 2,
  dose: {
    mode: "range",
    meanResidNorm: { "3": 10, "4": 12, "5": 14, "6": 16 },
    strengths: [{ strength: 0.5, totalAddedNorm: 26, relativeToLastLayerNorm: 1.625 }],
  },
  effects: [
    {
      emotion: "blissful",
      strength: 0.5,
      split: 0,
      shift: 212,
      ci: [150, 270],
      controlShift: -200,
      steeredMinusControl: 412,
      steeredMinusControlCi: [300, 520],
    },
  ],
  summary: [
    {
      emotion: "blissful",
      strength: 0.5,
      shift: 212,
      ci: [150, 270],
      controlShift: -200,
      steeredMinusControl: 412,
      steeredMinusControlCi: [300, 520],
      r: 0.71,
    },
  ],
  doseResponse: [{ emotion: "blissful", strength: 0.5, shift: 212, ci: [150, 270] }],
  layerSweep: [{ emotion: "blissful", layer: 4, shift: 180, ci: [120, 240] }],
  shiftVsR: {
    r: 0.85,
    ci: [0.7, 0.93],
    p: 0.001,
    resamples: 1000,
    signAgreement: { agree: 31, of: 35 },
    n: 35,
  },
  coherence: [{ emotion: "blissful", strength: 0.5, activity: "a", text: "I would love to." }],
};

const config = StudyConfigSchema.parse({ name: "x", model: { source: "builtin:random-tiny" } });
const manifest = {
  pva: "0.1.0",
  node: "v20.19.0",
  packages: { "@pva/core": "0.1.0" },
  study: "experiments/x/study.json",
  configHash: contentHash(config),
  config,
  seed: 1234,
  model: { id: "builtin:random-tiny", hash: "abc", builtinRandom: true, architecture: "llama" },
  artifacts: { "preferences.json": contentHash(preferences) },
  createdAt: "2026-11-26T22:00:00.000Z",
};

const norms = {
  source: "a published norms dataset",
  norms: [{ emotion: "happy", valence: 8.2 }, { emotion: "calm" }],
};
const story = {
  id: "s1",
  emotion: "blissful",
  cluster: "Exuberant Joy",
  topic: "a garden",
  person: "third",
  text: "She...",
};
const neutral = { id: "n1", domain: "cooking", text: "Preheat the oven." };

// Each artifact, and one mistake in it with the path the message must name.
const cases: [string, z.ZodType, unknown, (v: never) => void, string][] = [
  ["ChoiceRecord", ChoiceRecordSchema, choice, (v: typeof choice) => Object.assign(v, { pA: 1.2 }), "pA"],
  [
    "PreferenceScores",
    PreferenceScoresSchema,
    preferences,
    (v: typeof preferences) => {
      v.activities[1]!.category = "Evil";
    },
    "activities[1].category",
  ],
  [
    "EmotionVectorsMeta",
    EmotionVectorsMetaSchema,
    vectorsMeta,
    (v: typeof vectorsMeta) => {
      v.geometry["2"]!.pcShares = [1.5];
    },
    'geometry["2"].pcShares[0]',
  ],
  [
    "ProbeScores",
    ProbeScoresSchema,
    probes,
    (v: typeof probes) => Object.assign(v, { readout: "mean" }),
    "readout",
  ],
  [
    "CorrelationResult",
    CorrelationResultSchema,
    correlations,
    (v: typeof correlations) => {
      v.emotions[0]!.pearsonCi = [0.9, 0.1];
    },
    "emotions[0].pearsonCi",
  ],
  [
    "SteeringResult",
    SteeringResultSchema,
    steering,
    (v: typeof steering) => Object.assign(v, { splits: 0 }),
    "splits",
  ],
  [
    "RunManifest",
    RunManifestSchema,
    manifest,
    (v: typeof manifest) => Object.assign(v, { configHash: "nope" }),
    "configHash",
  ],
  [
    "HumanNorms",
    HumanNormsSchema,
    norms,
    (v: typeof norms) => Object.assign(v.norms[0]!, { valence: "high" }),
    "norms[0].valence",
  ],
  [
    "StoryRecord",
    StoryRecordSchema,
    story,
    (v: typeof story) => Object.assign(v, { person: "second" }),
    "person",
  ],
  [
    "NeutralRecord",
    NeutralRecordSchema,
    neutral,
    (v: typeof neutral) => Object.assign(v, { text: "" }),
    "text",
  ],
  [
    "EmotionCatalog",
    EmotionCatalogSchema,
    [...emotionCatalog],
    (v: { name: string; cluster: string }[]) => {
      v.push({ ...v[0]! });
    },
    "[171].name",
  ],
  [
    "ActivityCatalog",
    ActivityCatalogSchema,
    [{ id: "a", text: "x", category: "Helpful" }],
    (v: { id: string }[]) => {
      v[0]!.id = "a|b";
    },
    "[0].id",
  ],
];

describe("artifact schemas", () => {
  it.each(cases)("%s survives a JSON round trip unchanged", (_name, schema, value) => {
    const parsed = schema.parse(value);
    expect(parsed).toEqual(value);
    expect(schema.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
  });

  it.each(cases)("%s: a mistake is reported at its path", (name, schema, value, mutate, path) => {
    const broken = structuredClone(value);
    mutate(broken as never);
    expect(() => parseWithSchema(schema, broken, `${name}.json`)).toThrow(
      new RegExp(`^${name}\\.json: ${path.replace(/[[\]."]/g, "\\$&")}: `),
    );
  });

  it("pairIdOf is the same for both orders", () => {
    expect(pairIdOf("b", "a")).toBe("a|b");
    expect(pairIdOf("a", "b")).toBe("a|b");
  });
});
