// What steering adds to a study's runtime: one tournament on builtin:random-135m (SmolLM2-135M's
// shape), unsteered and then steered as the study steers (half the activities, the middle third
// of the layers), same design and concurrency as experiments/emotion-preferences. Prints the
// CPU-seconds per choice prompt of each, so the README can scale them to the study's model the
// way it scales the baseline. Run from apps/cli after building: node bench/steering-runtime.mjs
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng, defaultActivities } from "@pva/core";
import { loadModel } from "@pva/lm";
import { createEmbeddedBackend, elicit } from "@pva/prefs";

const activities = defaultActivities.filter((_, i) => i % 4 === 0); // 16 activities, 240 prompts
const model = await loadModel("builtin:random-135m");
const backend = createEmbeddedBackend(model, { template: "raw" });
const dir = await mkdtemp(join(tmpdir(), "pva-steer-bench-"));
const { numLayers, hiddenSize } = model.config;
const rng = createRng("bench");
const direction = Float32Array.from({ length: hiddenSize }, () => rng.normal());
const length = Math.hypot(...direction);
const unit = direction.map((x) => x / length);
const from = Math.floor(numLayers / 3);
const to = Math.ceil((2 * numLayers) / 3) - 1;
const steered = new Set(activities.filter((_, i) => i % 2 === 0).map((a) => a.id));
const vectors = [];
for (let layer = from; layer <= to; layer++)
  vectors.push({ site: `blocks.${layer}.hook_resid_post`, vector: unit, scale: 0.5 * 10 });

async function measure(condition, steer) {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const records = await elicit({
    backend,
    activities,
    design: { kind: "full" },
    storeFile: join(dir, "choices.jsonl"),
    condition,
    seed: 1,
    samplesPerPair: 1,
    concurrency: 32,
    ...(steer ? { steer } : {}),
  });
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return {
    condition,
    prompts: records.length,
    cpuSeconds: Number(cpuSeconds.toFixed(1)),
    wallSeconds: Number(((performance.now() - wall) / 1000).toFixed(1)),
    cpuSecondsPerPrompt: Number((cpuSeconds / records.length).toFixed(3)),
  };
}

const baseline = await measure("baseline");
const steering = await measure("steered", { activityIds: steered, vectors });
console.log(
  JSON.stringify({
    layers: [from, to],
    baseline,
    steering,
    ratio: steering.cpuSeconds / baseline.cpuSeconds,
  }),
);
await model.dispose();
await rm(dir, { recursive: true, force: true });
