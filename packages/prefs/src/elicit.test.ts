import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Activity, defaultActivities, InterruptedError, PvaError } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChoiceBackend, ChoiceRequest } from "./backends/choice-backend.js";
import { RequestFailedError } from "./backends/retry-policy.js";
import { elicit } from "./elicit.js";
import type { ElicitProgress } from "./elicit-progress.js";
import { rawPrompt } from "./prompts.js";

/** A model in memory: P(A) from the activities' positions in the catalog, answers after `delayMs`. */
function memoryBackend(opts: { delayMs?: number; failFor?: string } = {}) {
  const calls: ChoiceRequest[] = [];
  const rank = new Map(defaultActivities.map((a, i) => [a.id, i]));
  const backend: ChoiceBackend = {
    id: "memory-model",
    capabilities: { logits: true, logprobs: false, samples: true, steering: false },
    readout: "logits",
    prompt: (a: Activity, b: Activity) => rawPrompt(a, b).text,
    readoutParams: (readout) => ({ readout }),
    async answer(request) {
      calls.push(request);
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 0));
      if (request.a.id === opts.failFor)
        throw new RequestFailedError("gave up after 7 attempts: HTTP 503", 7);
      const pA = 1 / (1 + Math.exp((rank.get(request.a.id)! - rank.get(request.b.id)!) / 4));
      const sampled = request.readout === "samples";
      return {
        pA: sampled ? null : pA,
        pB: sampled ? null : 1 - pA,
        offLabelMass: sampled ? null : 0.1,
        rawAnswer: pA >= 0.5 ? "A" : "B",
        choice: pA >= 0.5 ? "A" : "B",
        attempts: 1,
      };
    },
  };
  return { backend, calls };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-prefs-elicit-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const activities = defaultActivities.slice(0, 6);
const base = { activities, condition: "baseline", seed: 11, samplesPerPair: 1, concurrency: 3 } as const;

describe("elicit", () => {
  it("records every ordered pair with the pair id, order and key fields filled in, and reports progress from the start", async () => {
    const { backend } = memoryBackend();
    const progress: ElicitProgress[] = [];
    const records = await elicit({
      ...base,
      backend,
      design: { kind: "full" },
      storeFile: join(dir, "full.jsonl"),
      onProgress: (p) => progress.push(p),
    });
    expect(records).toHaveLength(30);
    const r = records.find((x) => x.a === activities[3].id && x.b === activities[1].id)!;
    expect(r.pairId).toBe([activities[3].id, activities[1].id].sort().join("|"));
    expect(r.order).toBe(activities[3].id < activities[1].id ? "ab" : "ba");
    expect(r.model).toBe("memory-model");
    expect(new Set(records.map((x) => x.key)).size).toBe(30);
    expect(progress.at(-1)).toMatchObject({ done: 30, total: 30, failures: 0 });
    // first a report before anything is asked (done 0, the total known), then one per answer
    expect(progress[0]).toMatchObject({ done: 0, total: 30, failures: 0 });
    expect(progress.map((p) => p.done)).toEqual([...Array(31).keys()]);
  });

  it("asks K samples per ordered pair for the samples readout, each under its own key", async () => {
    const { backend, calls } = memoryBackend();
    const records = await elicit({
      ...base,
      backend,
      readout: "samples",
      samplesPerPair: 3,
      design: { kind: "full" },
      storeFile: join(dir, "samples.jsonl"),
    });
    expect(records).toHaveLength(90);
    expect(calls).toHaveLength(90);
    expect(new Set(records.map((r) => `${r.a}>${r.b}#${r.sampleIndex}`)).size).toBe(90);
  });

  it("stops cleanly on abort: in-flight answers are recorded, nothing new starts, a re-run finishes the rest", async () => {
    const { backend, calls } = memoryBackend({ delayMs: 5 });
    const controller = new AbortController();
    const storeFile = join(dir, "aborted.jsonl");
    const stopped = elicit({
      ...base,
      backend,
      design: { kind: "full" },
      storeFile,
      signal: controller.signal,
      onProgress: ({ done }) => {
        if (done === 10) controller.abort();
      },
    });
    await expect(stopped).rejects.toBeInstanceOf(InterruptedError);
    await expect(stopped).rejects.toMatchObject({ code: "E_INTERRUPTED", stage: "elicit" });
    // the 10th answer aborts; the two other workers' requests were in flight and are kept
    const lines = (await readFile(storeFile, "utf8")).trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(calls).toHaveLength(lines.length);
    const rest = await elicit({ ...base, backend, design: { kind: "full" }, storeFile });
    expect(rest).toHaveLength(30);
    expect(calls).toHaveLength(30);
  });

  it("asks nothing and opens no store when the signal fired before the call", async () => {
    const { backend, calls } = memoryBackend();
    const controller = new AbortController();
    controller.abort();
    const storeFile = join(dir, "pre-aborted.jsonl");
    await expect(
      elicit({ ...base, backend, design: { kind: "full" }, storeFile, signal: controller.signal }),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(calls).toHaveLength(0);
    await expect(readFile(storeFile, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("counts requests that failed after retries and leaves them for the next run", async () => {
    const failing = memoryBackend({ failFor: activities[0].id });
    let last: ElicitProgress | undefined;
    const storeFile = join(dir, "failures.jsonl");
    const records = await elicit({
      ...base,
      backend: failing.backend,
      design: { kind: "full" },
      storeFile,
      onProgress: (p) => {
        last = p;
      },
    });
    expect(records).toHaveLength(25);
    expect(last).toMatchObject({ failures: 5, lastFailure: "gave up after 7 attempts: HTTP 503" });
    const healthy = memoryBackend();
    expect(
      await elicit({ ...base, backend: healthy.backend, design: { kind: "full" }, storeFile }),
    ).toHaveLength(30);
    expect(healthy.calls).toHaveLength(5);
  });

  it("runs an active design within its budget", async () => {
    const { backend } = memoryBackend();
    const many = defaultActivities.slice(0, 24);
    const records = await elicit({
      ...base,
      activities: many,
      backend,
      design: { kind: "active", budget: 160, rounds: 4 },
      storeFile: join(dir, "active.jsonl"),
    });
    expect(records.length).toBeLessThanOrEqual(160);
    expect(records.length).toBeGreaterThanOrEqual(48);
  });

  it("ends with the design's stop reason when an active design stops before its budget", async () => {
    const { backend } = memoryBackend();
    const progress: ElicitProgress[] = [];
    const records = await elicit({
      ...base,
      activities: defaultActivities,
      backend,
      design: { kind: "active", budget: 4032, rounds: 20 },
      storeFile: join(dir, "active-stable.jsonl"),
      onProgress: (p) => progress.push(p),
    });
    expect(records.length).toBeLessThan(4032);
    const last = progress.at(-1);
    expect(last).toMatchObject({ done: records.length, total: 4032 });
    const asked = records.length.toLocaleString("en-US");
    expect(last?.stopReason).toBe(`ranking stable for 2 rounds after ${asked} of 4,032 comparisons`);
    expect(progress.slice(0, -1).every((p) => p.stopReason === null)).toBe(true);
  });

  it("refuses a readout or steering the backend cannot give, with one clear line", async () => {
    const { backend } = memoryBackend();
    const common = {
      ...base,
      backend,
      design: { kind: "full" as const },
      storeFile: join(dir, "refused.jsonl"),
    };
    await expect(elicit({ ...common, readout: "logprobs" })).rejects.toThrow(
      'memory-model: the "logprobs" readout is not available from this backend',
    );
    await expect(
      elicit({ ...common, steer: { activityIds: new Set([activities[0].id]), vectors: [] } }),
    ).rejects.toBeInstanceOf(PvaError);
  });
});
