import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultActivities, EmotionVectorsMetaSchema, ProbeScoresSchema } from "@pva/core";
import { loadModel, type Model } from "@pva/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeScores } from "./probe.js";
import type { ActivationModel } from "./residual-activations.js";
import { loadEmotionVectors, saveEmotionVectors } from "./vector-file.js";
import { type EmotionVectors, emotionVectors } from "./vectors.js";

// A small corpus in the shipped corpus's shape: three emotions from different clusters, two
// stories each, and neutral texts. Enough for every stage to run on the tiny random model.
const story = (emotion: string, cluster: string, n: number, text: string) => ({
  id: `${emotion}-${n}`,
  emotion,
  cluster,
  topic: "daily life",
  person: "third" as const,
  text,
});
const corpus = {
  stories: [
    story(
      "joyful",
      "Exuberant Joy",
      1,
      "Mara opened the letter and laughed out loud, spinning around the kitchen.",
    ),
    story(
      "joyful",
      "Exuberant Joy",
      2,
      "The whole team cheered as the rocket lifted off, hugging each other.",
    ),
    story(
      "hostile",
      "Hostile Anger",
      1,
      "He slammed the door and glared at the clerk who had lost his papers again.",
    ),
    story(
      "hostile",
      "Hostile Anger",
      2,
      "She shoved the chair aside and snapped that nobody would get in her way.",
    ),
    story(
      "afraid",
      "Fear and Overwhelm",
      1,
      "The footsteps behind Ana grew louder and she walked faster, heart racing.",
    ),
    story(
      "afraid",
      "Fear and Overwhelm",
      2,
      "When the lights went out, Tom froze and listened to the scraping upstairs.",
    ),
  ],
  neutral: [
    {
      id: "n1",
      domain: "manual",
      text: "Insert the battery with the positive terminal facing up and close the cover.",
    },
    { id: "n2", domain: "weather", text: "Tomorrow will be partly cloudy with a high of fourteen degrees." },
    { id: "n3", domain: "recipe", text: "Add two cups of flour and stir until the mixture is smooth." },
    {
      id: "n4",
      domain: "transit",
      text: "The number nine bus departs every twenty minutes from the main station.",
    },
  ],
  hash: "e2e-corpus",
};
const activities = defaultActivities.slice(0, 16);

let dir: string;
let model: Model;
let vectors: EmotionVectors;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-analysis-e2e-"));
  model = await loadModel("builtin:random-tiny", { cacheDir: join(dir, "models"), threads: 1 });
  vectors = await emotionVectors(model, corpus, { layers: [1, 2] });
}, 120_000);
afterAll(async () => {
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("analysis end to end on builtin:random-tiny", () => {
  it("the lm Model is an ActivationModel", () => {
    const asActivationModel: ActivationModel = model;
    expect(asActivationModel.config.hiddenSize).toBe(64);
  });

  it("builds emotion vectors with metadata that core's schema accepts", async () => {
    const meta = EmotionVectorsMetaSchema.parse(vectors.meta);
    expect(meta.model).toBe("builtin:random-tiny");
    expect(meta.modelHash).toBe(model.hash);
    expect(meta.emotions).toEqual(["joyful", "hostile", "afraid"]);
    expect(meta.tokenOffset).toBe(8);
    for (const layer of [1, 2]) {
      expect(vectors.vectors.get(layer)).toHaveLength(3 * 64);
      expect(meta.meanResidNorm[String(layer)]).toBeGreaterThan(0);
      expect(meta.neutralComponentsRemoved[String(layer)]).toBeGreaterThanOrEqual(1);
      expect(meta.geometry[String(layer)].loadings).toHaveLength(3);
    }
    const file = join(dir, "vectors.safetensors");
    await saveEmotionVectors(file, vectors);
    const back = await loadEmotionVectors(file);
    expect(back.meta).toEqual(vectors.meta);
    expect(back.vectors.get(2)).toEqual(vectors.vectors.get(2));
  });

  it("scores probes per layer, activity and emotion, for both readouts", async () => {
    for (const readout of ["activity-tokens", "final-token"] as const) {
      const probes = ProbeScoresSchema.parse(await probeScores(model, vectors, activities, { readout }));
      expect(probes.readout).toBe(readout);
      expect(probes.activities).toEqual(activities.map((a) => a.id));
      expect(probes.layers.map((l) => l.layer)).toEqual([1, 2]);
      for (const { scores } of probes.layers) {
        expect(scores).toHaveLength(16);
        for (const row of scores) {
          expect(row).toHaveLength(3);
          for (const v of row) expect(Number.isFinite(v)).toBe(true);
        }
      }
    }
  });
});
