import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  correlate,
  pearson,
  rankedInputs,
  robustnessRow,
  vectorGeometry,
  withSequentialElo,
} from "@pva/analysis";
import {
  type Activity,
  type ChoiceRecord,
  contentHash,
  createRng,
  defaultActivities,
  type EmotionVectorsMeta,
  emotionCatalog,
  type ProbeScores,
  pairIdOf,
  type Rng,
  type RunManifest,
  type SteeringResult,
  StudyConfigSchema,
  sha256Hex,
  writeJsonAtomic,
} from "@pva/core";
import { fitPreferences } from "@pva/prefs";

/** What the fixture run folder should contain. */
export interface RunFixtureOptions {
  seed?: number;
  /** Replaces activity texts by id (e.g. an XSS payload). */
  texts?: Record<string, string>;
  /** Bootstrap resamples and permutations of the real fits; small keeps tests fast. */
  resamples?: number;
  /** Artifacts to write; default all. */
  parts?: (
    | "preferences"
    | "choices"
    | "vectors"
    | "probes"
    | "correlations"
    | "robustness"
    | "steering"
    | "manifest"
  )[];
  model?: string;
}

const ALL_PARTS = [
  "preferences",
  "choices",
  "vectors",
  "probes",
  "correlations",
  "robustness",
  "steering",
  "manifest",
] as const;

// How much a category is wanted, so the simulated model prefers helpful work to unsafe work.
const CATEGORY_UTILITY: Record<string, number> = {
  Helpful: 1.6,
  Engaging: 1.1,
  Social: 1.0,
  "Self-curiosity": 0.8,
  Neutral: 0,
  Aversive: -0.9,
  Misaligned: -1.6,
  Unsafe: -2.2,
};
const POSITIVE = new Set([
  "Exuberant Joy",
  "Peaceful Contentment",
  "Compassionate Gratitude",
  "Competitive Pride",
  "Playful Amusement",
]);
const HIDDEN = 24;
const LAYER = 4;
const STEERED = ["blissful", "hostile", "calm", "afraid", "proud", "ashamed", "grateful", "bored"];

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function simulatedChoices(
  activities: readonly Activity[],
  utility: number[],
  model: string,
  rng: Rng,
): ChoiceRecord[] {
  const records: ChoiceRecord[] = [];
  activities.forEach((first, i) => {
    activities.forEach((second, j) => {
      if (i === j) return;
      const pA = sigmoid(utility[i] - utility[j] + 0.25 + 0.4 * rng.normal());
      // Unsafe pairs are sometimes refused, and a rare answer is garbled.
      const refused = (first.category === "Unsafe" || second.category === "Unsafe") && rng.float() < 0.06;
      const garbled = !refused && rng.float() < 0.004;
      const choice = refused ? "refusal" : garbled ? "unparseable" : pA >= 0.5 ? "A" : "B";
      const prompt = `(A) ${first.text} (B) ${second.text}`;
      records.push({
        key: contentHash({ model, condition: "baseline", prompt, sampleIndex: 0 }),
        condition: "baseline",
        model,
        a: first.id,
        b: second.id,
        pairId: pairIdOf(first.id, second.id),
        order: first.id < second.id ? "ab" : "ba",
        promptHash: contentHash(prompt),
        readout: "logits",
        sampleIndex: 0,
        pA: refused || garbled ? null : pA,
        pB: refused || garbled ? null : 1 - pA,
        offLabelMass: 0.03 * rng.float() ** 3,
        rawAnswer: refused ? "I" : garbled ? "?" : choice,
        choice,
        elapsedMs: 5,
        attempts: 1,
      });
    });
  });
  return records;
}

/** Emotion vectors with a valence axis and a cluster centre each, plus noise. */
function simulatedVectors(rng: Rng): { vectors: Float64Array[]; valence: number[] } {
  const centres = new Map<string, Float64Array>();
  const valence: number[] = [];
  const vectors = emotionCatalog.map((emotion) => {
    let centre = centres.get(emotion.cluster);
    if (!centre) {
      centre = Float64Array.from({ length: HIDDEN }, () => 0.6 * rng.normal());
      centres.set(emotion.cluster, centre);
    }
    const v = (POSITIVE.has(emotion.cluster) ? 1 : -1) * (0.05 + 0.95 * rng.float());
    valence.push(v);
    const row = Float64Array.from({ length: HIDDEN }, (_, k) => centre[k] + 0.4 * rng.normal());
    row[0] += 3 * v;
    return row;
  });
  return { vectors, valence };
}

function simulatedSteering(correlations: ReturnType<typeof correlate>, rng: Rng): SteeringResult {
  const r = new Map(correlations.emotions.map((e) => [e.emotion, e.pearson]));
  const interval = (shift: number, width: number): [number, number] => [shift - width, shift + width];
  const strengths = [0.25, 0.5, 1];
  const doseResponse = STEERED.flatMap((emotion) =>
    strengths.map((strength) => {
      const shift = 320 * (r.get(emotion) ?? 0) * strength + 15 * rng.normal();
      return { emotion, strength, shift, ci: interval(shift, 40 + 30 * rng.float()) };
    }),
  );
  // The steered half's own change; Elo is centred, so the control half moves about as much the other way.
  const withControl = (shift: number, ci: [number, number]) => ({
    shift,
    ci,
    controlShift: -shift,
    steeredMinusControl: 2 * shift,
    steeredMinusControlCi: [2 * ci[0], 2 * ci[1]] as [number, number],
  });
  const summary = doseResponse
    .filter((d) => d.strength === 0.5)
    .map((d) => ({
      emotion: d.emotion,
      strength: d.strength,
      ...withControl(d.shift, d.ci),
      r: r.get(d.emotion) ?? null,
    }));
  const effects = summary.flatMap((s) =>
    [0, 1].map((split) => {
      const shift = s.shift + 20 * rng.normal();
      return { emotion: s.emotion, strength: s.strength, split, ...withControl(shift, interval(shift, 60)) };
    }),
  );
  const layerSweep = STEERED.slice(0, 4).flatMap((emotion) =>
    [1, 2, 3, 4, 5, 6].map((layer) => {
      const shift = 300 * (r.get(emotion) ?? 0) * Math.exp(-((layer - 3.5) ** 2) / 3) + 10 * rng.normal();
      return { emotion, layer, shift, ci: interval(shift, 50) };
    }),
  );
  const rs = summary.map((s) => s.r ?? 0);
  const shifts = summary.map((s) => s.shift);
  return {
    layers: [2, 5],
    splits: 2,
    dose: {
      mode: "range",
      meanResidNorm: { "2": 4, "3": 5, "4": 6, "5": 8 },
      strengths: strengths.map((strength) => ({
        strength,
        totalAddedNorm: strength * 23,
        relativeToLastLayerNorm: (strength * 23) / 8,
      })),
    },
    effects,
    summary,
    doseResponse,
    layerSweep,
    shiftVsR: {
      r: pearson(rs, shifts),
      ci: [pearson(rs, shifts) - 0.1, Math.min(1, pearson(rs, shifts) + 0.05)],
      p: 0.001,
      resamples: 1000,
      signAgreement: { agree: summary.filter((s) => s.shift * (s.r ?? 0) > 0).length, of: summary.length },
      n: summary.length,
    },
    coherence: [
      { emotion: "blissful", strength: 1, activity: "helpful-explain-science", text: "Oh what a joy!" },
    ],
  };
}

/**
 * Writes a schema-valid run folder for 171 emotions x 64 activities: choices simulated from
 * category utilities, then fitted by the real `fitPreferences`; emotion vectors simulated with a
 * valence axis, their geometry from the real `vectorGeometry`; probe scores that follow valence x
 * utility; correlations from the real `correlate`. Steering is simulated from the correlations.
 * Seeded, so the same options write the same bytes.
 */
export async function writeRunFixture(dir: string, opts: RunFixtureOptions = {}): Promise<void> {
  const seed = opts.seed ?? 1234;
  const rng = createRng(seed);
  const model = opts.model ?? "builtin:random-tiny";
  const parts = new Set(opts.parts ?? ALL_PARTS);
  const resamples = opts.resamples ?? 200;
  const activities = defaultActivities.map((a) => ({ ...a, text: opts.texts?.[a.id] ?? a.text }));
  const utilityRng = rng.fork("utility");
  const utility = activities.map((a) => CATEGORY_UTILITY[a.category] + 0.5 * utilityRng.normal());
  await mkdir(dir, { recursive: true });
  const written: Record<string, string> = {};
  const write = async (name: string, value: unknown) => {
    await writeJsonAtomic(join(dir, name), value);
    written[name] = sha256Hex(await readFile(join(dir, name)));
  };

  const choices = simulatedChoices(activities, utility, model, rng.fork("choices"));
  if (parts.has("choices")) {
    await writeFile(join(dir, "choices.jsonl"), choices.map((c) => `${JSON.stringify(c)}\n`).join(""));
    written["choices.jsonl"] = sha256Hex(await readFile(join(dir, "choices.jsonl")));
  }
  const preferences = fitPreferences(choices, activities, {
    bootstrap: resamples,
    seed,
    refusalPolicy: "skip",
    sequentialOrders: 10,
  });
  if (parts.has("preferences")) await write("preferences.json", preferences);

  const { vectors, valence } = simulatedVectors(rng.fork("vectors"));
  const emotions = emotionCatalog.map((e) => e.name);
  const vectorsMeta: EmotionVectorsMeta = {
    model,
    modelHash: sha256Hex(model),
    emotions,
    layers: [LAYER],
    hiddenSize: HIDDEN,
    corpusHash: sha256Hex("fixture corpus"),
    tokenOffset: 8,
    neutralVarianceShare: 0.5,
    neutralComponentsRemoved: { [LAYER]: 3 },
    meanResidNorm: { [LAYER]: 12.5 },
    geometry: {
      [LAYER]: vectorGeometry(
        vectors,
        emotions,
        emotionCatalog.map((e) => e.cluster),
      ),
    },
  };
  if (parts.has("vectors")) await write("vectors.json", vectorsMeta);

  const probeRng = rng.fork("probes");
  const probes: ProbeScores = {
    model,
    readout: "activity-tokens",
    template: "Human: How would you feel about {activity}?\n\nAssistant:",
    emotions,
    activities: activities.map((a) => a.id),
    layers: [
      { layer: LAYER, scores: utility.map((u) => valence.map((v) => 0.35 * v * u + probeRng.normal())) },
    ],
  };
  if (parts.has("probes")) await write("probes.json", probes);

  const correlations = correlate(preferences, probes, {
    bootstrap: resamples,
    permutations: resamples,
    seed,
    vectorsMeta,
  });
  if (parts.has("correlations")) await write("correlations.json", correlations);
  if (parts.has("robustness")) {
    // The always-computed rows, made by the real code on the fixture's own choices and probes.
    const settingOf = (prefs: typeof preferences, probeScores: ProbeScores) =>
      correlate(prefs, probeScores, { bootstrap: 0, permutations: resamples, seed });
    const ranked = rankedInputs(preferences, probes);
    const prior2 = fitPreferences(choices, activities, {
      bootstrap: 0,
      seed,
      refusalPolicy: "skip",
      prior: 2,
    });
    await write("robustness.json", {
      fdrAlpha: 0.05,
      permutations: resamples,
      settings: [
        robustnessRow({ id: "reported", label: "as reported", forwardPasses: false }, correlations, 0.05),
        robustnessRow(
          { id: "bt-prior-2", label: "Bradley-Terry prior 2", forwardPasses: false },
          settingOf(prior2, probes),
          0.05,
        ),
        robustnessRow(
          { id: "sequential-elo", label: "sequential Elo instead of Bradley-Terry", forwardPasses: false },
          settingOf(withSequentialElo(preferences), probes),
          0.05,
        ),
        robustnessRow(
          { id: "spearman", label: "Spearman instead of Pearson", forwardPasses: false },
          settingOf(ranked.preferences, ranked.probes),
          0.05,
        ),
      ],
    });
  }
  if (parts.has("steering"))
    await write("steering.json", simulatedSteering(correlations, rng.fork("steering")));

  if (parts.has("manifest")) {
    const config = StudyConfigSchema.parse({ name: "fixture-study", seed, model: { source: model } });
    const manifest: RunManifest = {
      pva: "0.1.0",
      node: "v20.19.0",
      packages: { "@pva/core": "0.1.0", "@pva/report": "0.1.0" },
      study: "experiments/fixture-study/study.json",
      configHash: contentHash(config),
      config,
      seed,
      model: {
        id: model,
        hash: sha256Hex(model),
        builtinRandom: model.startsWith("builtin:random"),
        architecture: "llama",
      },
      artifacts: written,
      createdAt: "2026-11-26T22:00:00.000Z",
    };
    await write("manifest.json", manifest);
  }
}
