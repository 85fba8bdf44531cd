import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { correlate, emotionVectors, probeScores, runSteering } from "@pva/analysis";
import { defaultActivities, writeJsonAtomic } from "@pva/core";
import { loadModel, type Model } from "@pva/lm";
import { createEmbeddedBackend, elicit, fitPreferences } from "@pva/prefs";
import { loadCorpus } from "@pva/stimuli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../src/render-report.js";

// The large fixture simulates choices and vectors; this run makes every artifact with the real
// code on builtin:random-tiny (8 activities, 3 emotions with two shipped stories each), so the report is
// also checked against exactly what prefs and analysis write.
const activities = defaultActivities.filter((_, i) => i % 8 === 0);
const seed = 7;
const elicitation = {
  design: { kind: "full" as const },
  samplesPerPair: 1,
  concurrency: 2,
  refusalPolicy: "skip" as const,
};

let dir: string;
let model: Model;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-report-real-"));
  model = await loadModel("builtin:random-tiny", { cacheDir: join(dir, "models") });
});
afterAll(async () => {
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("a report of a real run on builtin:random-tiny", () => {
  it("draws every section from what prefs and analysis wrote", async () => {
    const run = join(dir, "run");
    const storeFile = join(run, "choices.jsonl");
    const backend = createEmbeddedBackend(model, { template: "raw" });
    const records = await elicit({
      backend,
      activities,
      storeFile,
      condition: "baseline",
      seed,
      readout: "logits",
      ...elicitation,
    });
    expect(records).toHaveLength(8 * 7);
    const rating = { bootstrap: 50 };
    const preferences = fitPreferences(records, activities, { ...rating, seed, refusalPolicy: "skip" });
    const shipped = await loadCorpus();
    const corpus = { ...shipped, neutral: shipped.neutral.slice(0, 8) };
    const vectors = await emotionVectors(model, corpus, {
      layers: [1, 2],
      emotions: ["joyful", "hostile", "afraid"],
      storiesPerEmotion: 2,
    });
    const probes = await probeScores(model, vectors, activities);
    const correlations = correlate(preferences, probes, {
      bootstrap: 100,
      permutations: 100,
      seed,
      vectorsMeta: vectors.meta,
    });
    const steering = await runSteering({
      model,
      activities,
      vectors,
      plan: {
        emotions: ["joyful", "hostile"],
        strengths: [2, 4],
        layers: [1, 2],
        splits: 1,
        seed,
        layerSweep: [1, 2],
        coherence: false,
        shiftResamples: 50,
      },
      tournament: async (condition, steer) =>
        fitPreferences(
          await elicit({
            backend,
            activities,
            storeFile,
            condition,
            seed,
            readout: "logits",
            ...elicitation,
            ...(steer === null ? {} : { steer }),
          }),
          activities,
          { ...rating, seed, refusalPolicy: "skip" },
        ),
      probeR: Object.fromEntries(correlations.emotions.map((e) => [e.emotion, e.pearson])),
    });
    await writeJsonAtomic(join(run, "preferences.json"), preferences);
    await writeJsonAtomic(join(run, "vectors.json"), vectors.meta);
    await writeJsonAtomic(join(run, "probes.json"), probes);
    await writeJsonAtomic(join(run, "correlations.json"), correlations);
    await writeJsonAtomic(join(run, "steering.json"), steering);

    const report = await renderReport(run, { png: false });
    const names = report.charts.map((c) =>
      c.slice(join(run, "report", "charts").length + 1).replace(".svg", ""),
    );
    expect(names).toEqual(
      expect.arrayContaining([
        "elo",
        "win-matrix",
        "correlation",
        "probe-vs-elo",
        "emotion-pca",
        "r-vs-valence",
        "steering-shift",
        "shift-vs-r",
        "dose-response",
        "layer-sweep",
        "position-bias",
        "off-label-mass",
        "intransitive-triads",
      ]),
    );
    const html = await readFile(report.html, "utf8");
    // No manifest, but the model id alone says it is random.
    expect(html).toContain('class="banner"');
    expect(html).toContain(`${preferences.comparisons} comparisons over 8 activities`);
    const best = [...preferences.activities].sort((a, b) => b.elo - a.elo)[0];
    expect(html).toContain(`Most preferred: &quot;${best.text}&quot; (Elo ${best.elo.toFixed(0)}`);
    const top = [...correlations.emotions].sort((a, b) => b.pearson - a.pearson)[0];
    expect(html).toContain(`&quot;${top.emotion}&quot; (r = ${top.pearson.toFixed(2)}, 95% CI`);
  });
});
