import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChoiceRecord } from "@pva/core";
import { defaultActivities } from "@pva/core";
import { loadModel, type Model, type TournamentSteering } from "@pva/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { elicit } from "../elicit.js";
import { createEmbeddedBackend } from "./embedded-backend.js";

let dir: string;
let model: Model;
const activities = defaultActivities.slice(0, 6);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-prefs-batcher-"));
  model = await loadModel("builtin:random-tiny", { cacheDir: join(dir, "models") });
});
afterAll(async () => {
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** The model, recording how many continuations each batched pass ran. */
function countingModel(batchSizes: number[]): Model {
  return {
    ...model,
    forwardContinuations: (prefix, continuations, opts) => {
      batchSizes.push(continuations.length);
      return model.forwardContinuations(prefix, continuations, opts);
    },
  };
}

async function run(
  name: string,
  backendModel: Model,
  opts: { prefixReuse: boolean; concurrency: number; steer?: TournamentSteering },
): Promise<ChoiceRecord[]> {
  return elicit({
    backend: createEmbeddedBackend(backendModel, { template: "raw", prefixReuse: opts.prefixReuse }),
    activities,
    design: { kind: "full" },
    storeFile: join(dir, `${name}.jsonl`),
    condition: opts.steer ? "steered" : "baseline",
    seed: 5,
    samplesPerPair: 1,
    concurrency: opts.concurrency,
    ...(opts.steer ? { steer: opts.steer } : {}),
  });
}

/** Everything but the timing must match; probabilities to float rounding. */
function expectSameRecords(actual: ChoiceRecord[], expected: ChoiceRecord[]): void {
  expect(actual.map((r) => r.key)).toEqual(expected.map((r) => r.key));
  actual.forEach((record, i) => {
    const { pA, pB, offLabelMass, elapsedMs: _a, ...rest } = record;
    const { pA: pA0, pB: pB0, offLabelMass: off0, elapsedMs: _b, ...rest0 } = expected[i];
    expect(rest).toEqual(rest0);
    expect(Math.abs(pA! - pA0!)).toBeLessThan(1e-6);
    expect(Math.abs(pB! - pB0!)).toBeLessThan(1e-6);
    expect(Math.abs(offLabelMass! - off0!)).toBeLessThan(1e-6);
  });
}

describe("shared-prefix batching in the embedded backend", () => {
  it("answers concurrent requests in batched passes with the records of one-at-a-time runs, with and without steering", async () => {
    const vector = new Float32Array(model.config.hiddenSize).map((_, i) => Math.cos(i + 2));
    const steering: TournamentSteering = {
      activityIds: new Set([activities[1].id, activities[4].id]),
      vectors: [{ site: "blocks.1.hook_resid_post", vector, scale: 4 }],
    };
    for (const steer of [undefined, steering]) {
      const tag = steer ? "steered" : "plain";
      const batchSizes: number[] = [];
      const batched = await run(`batched-${tag}`, countingModel(batchSizes), {
        prefixReuse: true,
        concurrency: 12,
        steer,
      });
      const oneAtATimeSizes: number[] = [];
      const oneAtATime = await run(`one-at-a-time-${tag}`, countingModel(oneAtATimeSizes), {
        prefixReuse: true,
        concurrency: 1,
        steer,
      });
      const noReuse = await run(`no-reuse-${tag}`, model, { prefixReuse: false, concurrency: 1, steer });
      expect(batched).toHaveLength(30);
      // the full design asks the 5 prompts of one first activity in a row: they share "(A) {a} or (B)"
      expect(Math.max(...batchSizes)).toBe(5);
      expect(batchSizes.reduce((s, n) => s + n, 0)).toBe(30);
      expect(oneAtATimeSizes.every((n) => n === 1)).toBe(true);
      expectSameRecords(batched, oneAtATime);
      expectSameRecords(batched, noReuse);
    }
  });

  it("gives every request of a failed pass its error, and answers correctly afterwards", async () => {
    let failures = 1;
    const flaky: Model = {
      ...model,
      forwardContinuations: (prefix, continuations, opts) =>
        failures-- > 0
          ? Promise.reject(new Error("kernel failed"))
          : model.forwardContinuations(prefix, continuations, opts),
    };
    const backend = createEmbeddedBackend(flaky, { template: "raw" });
    const reference = createEmbeddedBackend(model, { template: "raw", prefixReuse: false });
    const [a, b, c] = activities;
    const ask = (x: typeof a, y: typeof a) => ({
      a: x,
      b: y,
      readout: "logits" as const,
      sampleIndex: 0,
      seed: 1,
    });
    const failed = await Promise.allSettled([backend.answer(ask(a, b)), backend.answer(ask(a, c))]);
    expect(failed.map((s) => (s.status === "rejected" ? String(s.reason) : "answered"))).toEqual([
      "Error: kernel failed",
      "Error: kernel failed",
    ]);
    const [again, expected] = await Promise.all([backend.answer(ask(a, c)), reference.answer(ask(a, c))]);
    expect(Math.abs(again.pA! - expected.pA!)).toBeLessThan(1e-6);
  });
});
