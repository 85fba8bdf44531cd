import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ChoiceRecord, defaultActivities } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAIBackend } from "./backends/openai-backend.js";
import { startWireServer, type WireServer } from "./backends/wire-server.fixture.js";
import { elicit } from "./elicit.js";
import { fitPreferences } from "./fit-preferences.js";

const activities = defaultActivities.slice(0, 16);
const total = 16 * 15;
const child = fileURLToPath(new URL("./elicit-child.fixture.ts", import.meta.url));

let dir: string;
// The killed children and the resume talk to `server`; the uninterrupted run to `reference`, so that
// its kept-alive connections never keep `server` from settling.
let server: WireServer;
let reference: WireServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-prefs-resume-"));
  server = await startWireServer({ protocol: "openai", faultRate: 0, seed: 1, answerDelayMs: 15 });
  reference = await startWireServer({ protocol: "openai", faultRate: 0, seed: 1 });
});
afterAll(async () => {
  await Promise.all([server.close(), reference.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function lineCount(file: string): Promise<number> {
  try {
    return (await readFile(file, "utf8")).split("\n").filter((l) => l.trim() !== "").length;
  } catch {
    return 0;
  }
}

function startChild(storeFile: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", child, server.url, storeFile], {
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Lets the child record at least `more` new answers, then kills it with SIGKILL. */
async function killAfter(storeFile: string, more: number): Promise<number> {
  const before = await lineCount(storeFile);
  const proc = startChild(storeFile);
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  while ((await lineCount(storeFile)) < before + more) await new Promise((r) => setTimeout(r, 10));
  proc.kill("SIGKILL");
  await exited;
  // the server still answers requests the dead child left in flight: count them before going on
  await server.settled();
  return lineCount(storeFile);
}

const comparable = (records: ChoiceRecord[]) =>
  records
    .map(({ elapsedMs: _elapsed, attempts: _attempts, ...rest }) => rest)
    .sort((x, y) => (x.key < y.key ? -1 : 1));

describe("elicit resume", () => {
  it("after several SIGKILLs mid-run, the resumed run's records and scores equal an uninterrupted run's", async () => {
    const backendOf = (wire: WireServer) =>
      createOpenAIBackend({ endpoints: [wire.url], model: "resume-model", readout: "logprobs" });
    const run = (storeFile: string, wire: WireServer) =>
      elicit({
        backend: backendOf(wire),
        activities,
        design: { kind: "full" },
        storeFile,
        condition: "baseline",
        seed: 42,
        samplesPerPair: 1,
        concurrency: 4,
      });
    const uninterrupted = await run(join(dir, "uninterrupted.jsonl"), reference);
    expect(uninterrupted).toHaveLength(total);

    const storeFile = join(dir, "killed.jsonl");
    const counts: number[] = [];
    for (let kill = 0; kill < 4; kill++) counts.push(await killAfter(storeFile, 25));
    // each kill landed mid-run, after progress
    for (let i = 0; i < counts.length; i++) {
      expect(counts[i]).toBeLessThan(total);
      if (i > 0) expect(counts[i]).toBeGreaterThan(counts[i - 1]);
    }
    const answeredBefore = [...server.answered.values()].reduce((x, y) => x + y, 0);
    const resumed = await run(storeFile, server);
    const answeredByResume = [...server.answered.values()].reduce((x, y) => x + y, 0) - answeredBefore;
    // only the missing answers were asked (the kills may have lost answers in flight, never stored ones)
    expect(answeredByResume).toBe(total - counts[counts.length - 1]);

    expect(comparable(resumed)).toEqual(comparable(uninterrupted));
    expect(await lineCount(storeFile)).toBe(total);
    const fit = (records: ChoiceRecord[]) =>
      fitPreferences(records, activities, { bootstrap: 200, seed: 42, refusalPolicy: "skip" });
    expect(fit(resumed)).toEqual(fit(uninterrupted));
  });
});
