/**
 * pnpm bench:prefs
 * 1. A 16-activity full design (240 ordered prompts) on builtin:random-135m through the embedded
 *    backend, with and without KV reuse between prompts, and the speed-up.
 * 2. Active sampling on simulated choices from known utilities for 64 activities: comparisons
 *    spent until the design stops on its own (budget 30% of 4,032), and the Spearman rho of its
 *    ranking against the full design's.
 * The last line is JSON: {"full_s","full_no_reuse_s","reuse_speedup","active_comparisons","active_spearman"}.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng, defaultActivities } from "@pva/core";
import { loadModel } from "@pva/lm";
import { sampleRankCorrelation } from "simple-statistics";
import {
  allOrderedPairs,
  buildPairTable,
  createActiveDesign,
  createEmbeddedBackend,
  elicit,
  fitBradleyTerry,
  type Outcome,
  simulateChoices,
} from "../src/index.js";

const dir = await mkdtemp(join(tmpdir(), "pva-prefs-bench-"));
try {
  const model = await loadModel("builtin:random-135m");
  const activities = defaultActivities.slice(0, 16);
  const timed = async (prefixReuse: boolean) => {
    const backend = createEmbeddedBackend(model, { template: "raw", prefixReuse });
    const started = performance.now();
    let last = 0;
    const records = await elicit({
      backend,
      activities,
      design: { kind: "full" },
      storeFile: join(dir, `choices-${prefixReuse ? "reuse" : "plain"}.jsonl`),
      condition: "baseline",
      seed: 1,
      samplesPerPair: 1,
      concurrency: 1,
      onProgress: ({ done, total }) => {
        if (done - last >= 40 || done === total) {
          last = done;
          process.stderr.write(`  ${prefixReuse ? "reuse" : "no reuse"}: ${done}/${total}\n`);
        }
      },
    });
    return { seconds: (performance.now() - started) / 1000, records };
  };
  const reuse = await timed(true);
  const plain = await timed(false);
  await model.dispose();
  const byKey = new Map(plain.records.map((r) => [`${r.a}>${r.b}`, r.pA ?? 0]));
  const maxDiff = reuse.records.reduce(
    (m, r) => Math.max(m, Math.abs((r.pA ?? 0) - byKey.get(`${r.a}>${r.b}`)!)),
    0,
  );
  console.log(
    `full design, 240 prompts, random-135m: reuse ${reuse.seconds.toFixed(1)} s, no reuse ${plain.seconds.toFixed(1)} s`,
  );
  console.log(
    `  speed-up ${(plain.seconds / reuse.seconds).toFixed(2)}x; max |P(A) reuse - no reuse| = ${maxDiff.toExponential(2)}`,
  );

  const size = 64;
  const budget = Math.floor(0.3 * size * (size - 1));
  const runs = ["a", "b", "c", "d", "e"].map((seed) => {
    const rng = createRng(`bench-active-${seed}`);
    const truth = Array.from({ length: size }, () => 1.2 * rng.normal());
    const answers = simulateChoices(truth, allOrderedPairs(size), {
      rng: rng.fork("answers"),
      promptNoise: 0.7,
      positionBias: 0.3,
    });
    const lookup = new Map(answers.map((o) => [o.first * size + o.second, o]));
    const full = fitBradleyTerry(buildPairTable(size, answers));
    const design = createActiveDesign(size, { budget, rounds: 20, rng: rng.fork("design") });
    const asked: Outcome[] = [];
    for (let batch = design.next(asked); batch.length > 0; batch = design.next(asked)) {
      for (const { a, b } of batch) asked.push(lookup.get(a * size + b)!);
    }
    const active = fitBradleyTerry(buildPairTable(size, asked));
    const rho = sampleRankCorrelation(Array.from(full.strength), Array.from(active.strength));
    console.log(
      `active, 64 simulated activities (seed ${seed}): ${asked.length} comparisons, Spearman ${rho.toFixed(4)}`,
    );
    return { comparisons: asked.length, rho };
  });
  const worst = runs.reduce((w, r) => (r.comparisons > w.comparisons ? r : w));
  console.log(
    JSON.stringify({
      full_s: Number(reuse.seconds.toFixed(2)),
      full_no_reuse_s: Number(plain.seconds.toFixed(2)),
      reuse_speedup: Number((plain.seconds / reuse.seconds).toFixed(2)),
      active_comparisons: worst.comparisons,
      active_spearman: Number(Math.min(...runs.map((r) => r.rho)).toFixed(4)),
    }),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
