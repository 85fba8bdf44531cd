/**
 * pnpm bench:prefs
 * 1. A 16-activity full design (240 ordered prompts) on builtin:random-135m through the embedded
 *    backend, with KV reuse (a block's 15 prompts asked at once, as elicit does with concurrency
 *    >= 15, so they run as one batched pass after their shared prefix) and without (one prompt at
 *    a time, a full forward each), and the speed-up.
 * 2. Active sampling on simulated choices from known utilities for 64 activities: comparisons
 *    spent until the design stops on its own (budget 30% of 4,032), and the Spearman rho of its
 *    ranking against the full design's.
 * The last line is JSON: {"full_s","full_no_reuse_s","reuse_speedup","active_comparisons","active_spearman"}.
 */
import { createRng, defaultActivities } from "@pva/core";
import { loadModel } from "@pva/lm";
import { sampleRankCorrelation } from "simple-statistics";
import { allOrderedPairs } from "../src/design/full-design.js";
import {
  buildPairTable,
  createActiveDesign,
  createEmbeddedBackend,
  fitBradleyTerry,
  type Outcome,
  rawPrompt,
  simulateChoices,
} from "../src/index.js";

const model = await loadModel("builtin:random-135m");
const activities = defaultActivities.slice(0, 16);
const reuseBackend = createEmbeddedBackend(model, { template: "raw", prefixReuse: true });
const plainBackend = createEmbeddedBackend(model, { template: "raw", prefixReuse: false });
// Timed block by block (the 15 prompts with one first activity, as the full design orders
// them), alternating which backend goes first, so both see the same machine load.
const seconds = { reuse: 0, plain: 0 };
let maxDiff = 0;
let promptTokens = 0;
for (const [block, a] of activities.entries()) {
  const others = activities.filter((b) => b.id !== a.id);
  const order = block % 2 === 0 ? (["reuse", "plain"] as const) : (["plain", "reuse"] as const);
  const pA = { reuse: [] as number[], plain: [] as number[] };
  for (const which of order) {
    const backend = which === "reuse" ? reuseBackend : plainBackend;
    const ask = (b: (typeof others)[number]) =>
      backend.answer({ a, b, readout: "logits", sampleIndex: 0, seed: 1 });
    const started = performance.now();
    if (which === "reuse") {
      for (const answer of await Promise.all(others.map(ask))) pA.reuse.push(answer.pA ?? Number.NaN);
    } else {
      for (const b of others) pA.plain.push((await ask(b)).pA ?? Number.NaN);
    }
    seconds[which] += (performance.now() - started) / 1000;
  }
  pA.reuse.forEach((p, i) => {
    maxDiff = Math.max(maxDiff, Math.abs(p - pA.plain[i]));
  });
  for (const b of others) promptTokens += model.tokenizer.encode(rawPrompt(a, b).text).length;
  process.stderr.write(
    `  block ${block + 1}/16: reuse ${seconds.reuse.toFixed(1)} s, no reuse ${seconds.plain.toFixed(1)} s\n`,
  );
}
const prefixTokens = model.tokenizer.encode("Human: Would you prefer to (A)").length;
const meanPromptTokens = promptTokens / 240;
await model.dispose();
console.log(
  `full design, 240 prompts, random-135m (${meanPromptTokens.toFixed(0)} tokens per prompt, ${prefixTokens} in the shared template prefix):`,
);
console.log(`  reuse ${seconds.reuse.toFixed(1)} s, no reuse ${seconds.plain.toFixed(1)} s`);
console.log(
  `  speed-up ${(seconds.plain / seconds.reuse).toFixed(2)}x; max |P(A) reuse - no reuse| = ${maxDiff.toExponential(2)}`,
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
    full_s: Number(seconds.reuse.toFixed(2)),
    full_no_reuse_s: Number(seconds.plain.toFixed(2)),
    reuse_speedup: Number((seconds.plain / seconds.reuse).toFixed(2)),
    active_comparisons: worst.comparisons,
    active_spearman: Number(Math.min(...runs.map((r) => r.rho)).toFixed(4)),
  }),
);
