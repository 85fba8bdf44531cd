// pnpm bench:analysis: correlate() at the study's full size, 171 emotions x 64 activities, with
// 10,000 bootstrap resamples and 10,000 permutations per emotion. Prints the time; the last line is
// JSON {"seconds", "resamples", ...}. Goal: under 5 s on 2 cores.
import { cpus } from "node:os";
import { createRng, defaultActivities, emotionCatalog, type ProbeScores } from "@pva/core";
import { correlate } from "../src/correlate.js";
import { preferencesWithElo } from "../src/preferences-with-elo.test-support.js";

const RESAMPLES = 10_000;
const PERMUTATIONS = 10_000;

const rng = createRng(2026).fork("bench:analysis");
const activities = defaultActivities.slice(0, 64);
const emotions = emotionCatalog.map((e) => e.name);
const elo = activities.map(() => 1500 + 300 * rng.normal());
// Each emotion's probe tracks Elo with its own strength and sign, plus noise.
const weights = emotions.map(() => rng.normal());
const scores = activities.map((_, a) => weights.map((w) => (w * (elo[a] - 1500)) / 300 + rng.normal()));

const preferences = preferencesWithElo(activities, elo);
const probes: ProbeScores = {
  model: "bench",
  readout: "activity-tokens",
  template: "",
  emotions,
  activities: activities.map((a) => a.id),
  layers: [{ layer: 0, scores }],
};

const started = performance.now();
const result = correlate(preferences, probes, { bootstrap: RESAMPLES, permutations: PERMUTATIONS, seed: 7 });
const seconds = (performance.now() - started) / 1000;
const significant = result.emotions.filter((e) => e.q < 0.05).length;
console.log(
  `correlate: ${emotions.length} emotions x ${activities.length} activities, ${RESAMPLES} bootstrap resamples and ` +
    `${PERMUTATIONS} permutations each: ${seconds.toFixed(2)} s on ${cpus().length} cores (${significant} emotions with q < 0.05)`,
);
console.log(
  JSON.stringify({
    seconds: Number(seconds.toFixed(3)),
    resamples: RESAMPLES,
    permutations: PERMUTATIONS,
    emotions: emotions.length,
    activities: activities.length,
  }),
);
