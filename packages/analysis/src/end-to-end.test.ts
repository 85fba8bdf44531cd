import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CorrelationResultSchema,
  DEFAULT_PROBE_QUESTION,
  defaultActivities,
  EmotionVectorsMetaSchema,
  humanAssistantPrompt,
  type PreferenceScores,
  ProbeScoresSchema,
  SteeringResultSchema,
} from "@pva/core";
import { loadModel, type Model, tokenSpan } from "@pva/lm";
import { loadCorpus } from "@pva/stimuli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { correlate } from "./correlate.js";
import { preferencesWithElo } from "./preferences-with-elo.test-support.js";
import { probeScores } from "./probe.js";
import { probePrompt } from "./probe-prompt.js";
import type { ActivationModel } from "./residual-activations.js";
import { runSteering, type SteeringTournament } from "./steer.js";
import { loadEmotionVectors, saveEmotionVectors } from "./vector-file.js";
import { type EmotionVectors, emotionVectors } from "./vectors.js";

// Two shipped stories for each of three emotions from different clusters, and a few shipped
// neutral texts: enough for every stage to run on the tiny random model.
const emotions = ["joyful", "hostile", "afraid"];
const activities = defaultActivities.slice(0, 16);

let dir: string;
let model: Model;
let vectors: EmotionVectors;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-analysis-e2e-"));
  model = await loadModel("builtin:random-tiny", { cacheDir: join(dir, "models"), threads: 1 });
  const shipped = await loadCorpus();
  const corpus = { ...shipped, neutral: shipped.neutral.slice(0, 8) };
  vectors = await emotionVectors(model, corpus, { layers: [1, 2], emotions, storiesPerEmotion: 2 });
});
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
    // The unit of steering strength is measured at every layer, not only where vectors are read.
    expect(Object.keys(meta.meanResidNorm)).toEqual(["0", "1", "2", "3"]);
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

describe("correlation and steering end to end on builtin:random-tiny", () => {
  // One activity per category keeps the tournaments (baseline, strength 0, strength 4) small.
  const tournamentActivities = defaultActivities.filter((_, i) => i % 8 === 0);
  const seed = 5;

  /**
   * A stand-in for prefs' tournament that still runs the real model with the real steering: each
   * activity's score is the last-position logit of token 0 after its probe prompt, with the
   * steering vectors added on the activity's own tokens when it is in the steered half. (Analysis
   * does not depend on prefs; the cli and the report's real-run test wire the real elicitation.)
   */
  const modelTournament =
    (fits: PreferenceScores[]): SteeringTournament =>
    async (condition, steering) => {
      const elo: number[] = [];
      for (const activity of tournamentActivities) {
        const prompt = probePrompt(humanAssistantPrompt(DEFAULT_PROBE_QUESTION), activity.text);
        const { ids, offsets } = model.tokenizer.encodeWithOffsets(prompt.text);
        const positions = tokenSpan(offsets, prompt.span);
        const steer = steering?.activityIds.has(activity.id)
          ? steering.vectors.map((v) => ({ ...v, positions }))
          : [];
        const { logits } = await model.forward(ids, { steer, logits: "last" });
        elo.push(1000 + 100 * logits[0]);
      }
      const fit = { ...preferencesWithElo(tournamentActivities, elo), condition };
      fits.push(fit);
      return fit;
    };

  it("correlates probes with preferences, and strength 0 reproduces the baseline Elo exactly", async () => {
    const fits: PreferenceScores[] = [];
    const tournament = modelTournament(fits);
    const baseline = await tournament("baseline", null);
    const probes = await probeScores(model, vectors, tournamentActivities);
    const correlations = CorrelationResultSchema.parse(
      correlate(baseline, probes, { bootstrap: 200, permutations: 200, seed, vectorsMeta: vectors.meta }),
    );
    expect(correlations.layer).toBe(1);
    expect(correlations.activities).toBe(8);
    expect(correlations.emotions.map((e) => e.emotion)).toEqual(["joyful", "hostile", "afraid"]);
    expect(correlations.valence?.source).toBe("pc1");
    expect(Object.keys(correlations.sentiment.scores)).toHaveLength(8);

    fits.length = 0;
    const steering = SteeringResultSchema.parse(
      await runSteering({
        model,
        activities: tournamentActivities,
        vectors,
        plan: {
          emotions: ["joyful"],
          strengths: [0, 4],
          layers: [1, 2],
          splits: 1,
          seed,
          coherence: { maxNewTokens: 6 },
          shiftResamples: 100,
        },
        tournament,
        probeR: Object.fromEntries(correlations.emotions.map((e) => [e.emotion, e.pearson])),
      }),
    );
    // baseline, strength 0, strength 4
    expect(fits.map((f) => f.condition.split(":").slice(0, 3).join(":"))).toEqual([
      "baseline",
      "steer:joyful:s0",
      "steer:joyful:s4",
    ]);
    const [, unsteered, steered] = fits;
    expect(unsteered.activities.map((a) => [a.id, a.elo])).toEqual(
      baseline.activities.map((a) => [a.id, a.elo]),
    );
    expect(steering.effects[0]).toMatchObject({
      strength: 0,
      shift: 0,
      controlShift: 0,
      steeredMinusControl: 0,
    });
    // At 4 x the residual norm the steered activities' scores move and the control ones do not:
    // the vectors reach the model on the steered tokens only.
    const steeredIds = new Set(
      steered.activities.filter((a, i) => a.elo !== baseline.activities[i].elo).map((a) => a.id),
    );
    expect(steeredIds.size).toBe(4);
    expect(steering.coherence.map((c) => c.strength)).toEqual([0, 4]);
    expect(steering.summary).toHaveLength(1);
  });
});
