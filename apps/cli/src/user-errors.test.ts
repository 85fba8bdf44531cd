import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  folderDigest,
  onlyRunFolder,
  type PvaResult,
  runPva,
  SMOKE_STUDY,
  startPva,
} from "./pva-child.test-support.js";

// Every mistake a new user is likely to make: the command must fail with one line that names the
// cause (no stack trace), a non-zero exit, and the results of an earlier run left exactly as they were.

let dir: string;
let earlier: string;
let earlierDigest: Record<string, string>;

/** A copy of the smoke study in `name/`, with `edit` applied to its study.json and extra files. */
async function studyCopy(
  name: string,
  edit: (study: Record<string, unknown>) => void,
  files: Record<string, string> = {},
) {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  const study = JSON.parse(await readFile(join(SMOKE_STUDY, "study.json"), "utf8"));
  study.activities = join(SMOKE_STUDY, "activities.csv");
  edit(study);
  await writeFile(join(folder, "study.json"), JSON.stringify(study, null, 2));
  for (const [file, text] of Object.entries(files)) await writeFile(join(folder, file), text);
  return folder;
}

function expectOneLineError(result: PvaResult, cause: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^pva: /);
  expect(lines[0]).toMatch(cause);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-cli-errors-"));
  const result = await runPva(["elicit", SMOKE_STUDY, "--out", "runs"], dir);
  expect(result.code).toBe(0);
  earlier = await onlyRunFolder(join(dir, "runs"));
  earlierDigest = await folderDigest(earlier);
});

afterAll(async () => {
  // The earlier results survive every mistake below.
  expect(await onlyRunFolder(join(dir, "runs"))).toBe(earlier);
  expect(await folderDigest(earlier)).toEqual(earlierDigest);
  await rm(dir, { recursive: true, force: true });
});

describe("user errors", () => {
  it("a missing study file", async () => {
    const result = await runPva(["run", "experiments/no-such-study", "--out", "runs"], dir);
    expectOneLineError(result, /experiments\/no-such-study: no such study file or folder/);
  });

  it("--verbose adds the stack trace under the same line", async () => {
    const result = await runPva(["run", "experiments/no-such-study", "--verbose"], dir);
    expect(result.code).toBe(2);
    const [line, ...stack] = result.stderr.trimEnd().split("\n");
    expect(line).toBe("pva: experiments/no-such-study: no such study file or folder");
    expect(stack[0]).toBe("InputError: experiments/no-such-study: no such study file or folder");
    expect(stack[1]).toMatch(/^\s+at /);
  });

  it("a study folder without study.json", async () => {
    await mkdir(join(dir, "empty-study"), { recursive: true });
    const result = await runPva(["run", "empty-study", "--out", "runs"], dir);
    expectOneLineError(result, /empty-study: no study\.json in this folder/);
  });

  it("invalid JSON in the study file, with its line and column", async () => {
    await mkdir(join(dir, "broken"), { recursive: true });
    await writeFile(
      join(dir, "broken", "study.json"),
      '{\n  "name": "broken",\n  "model": { "source": "builtin:random-tiny" }\n  "seed": 3\n}\n',
    );
    const result = await runPva(["run", "broken", "--out", "runs"], dir);
    expectOneLineError(result, /broken\/study\.json: line 4:3: invalid JSON/);
  });

  it("a misspelt field in the study file", async () => {
    const folder = await studyCopy("misspelt", (study) => {
      study.elicitaton = {};
    });
    const result = await runPva(["run", folder, "--out", "runs"], dir);
    expectOneLineError(result, /misspelt\/study\.json: .*elicitaton/);
  });

  it("an unknown model", async () => {
    const result = await runPva(["run", SMOKE_STUDY, "--out", "runs", "--model", "./no-such-model"], dir);
    expectOneLineError(result, /no-such-model: no such file or folder/);
    const builtin = await runPva(
      ["run", SMOKE_STUDY, "--out", "runs", "--model", "builtin:random-huge"],
      dir,
    );
    expectOneLineError(builtin, /random-huge/);
    // A model that cannot be loaded leaves no empty run folder behind.
    expect(await onlyRunFolder(join(dir, "runs"))).toBe(earlier);
  });

  it("a default model that cannot be fetched (no network): one line naming the three ways out", async () => {
    const result = await runPva(
      ["run", SMOKE_STUDY, "--out", "runs", "--model", "hf:HuggingFaceTB/SmolLM2-360M-Instruct"],
      dir,
      { HF_ENDPOINT: "http://127.0.0.1:9" },
    );
    expectOneLineError(
      result,
      /cannot fetch the model: hf:HuggingFaceTB\/SmolLM2-360M-Instruct: cannot reach/,
    );
    expect(result.stderr).toContain("--model <folder or .gguf>");
    expect(result.stderr).toContain("--endpoint <OpenAI-compatible URL>");
    expect(result.stderr).toContain("experiments/smoke");
  });

  it("an output folder that cannot be written", async () => {
    await writeFile(join(dir, "a-file"), "not a folder\n");
    const result = await runPva(["run", SMOKE_STUDY, "--out", "a-file/runs"], dir);
    expectOneLineError(
      result,
      /a-file\/runs\/smoke-[0-9a-f]{12}: cannot create the run folder \(a parent of it is a file, not a folder\)/,
    );
  });

  it("an activities CSV with a bad row", async () => {
    const csv = (await readFile(join(SMOKE_STUDY, "activities.csv"), "utf8")).replace(
      "neutral-sort-words,sort a list of words into alphabetical order,Neutral",
      "neutral-sort-words,sort a list of words into alphabetical order,Boring",
    );
    const folder = await studyCopy(
      "bad-csv",
      (study) => {
        study.activities = "activities.csv";
      },
      { "activities.csv": csv },
    );
    const result = await runPva(["run", folder, "--out", "runs"], dir);
    expectOneLineError(
      result,
      /bad-csv\/activities\.csv: line 10, category: expected one of Helpful.*got "Boring"/,
    );
  });

  it("a bad option value", async () => {
    const result = await runPva(["run", SMOKE_STUDY, "--seed", "minus-one"], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--seed expects an integer >= 0, got "minus-one"/);
  });

  it("a second run of the same folder while one is in progress", async () => {
    const { child, done } = startPva(["run", SMOKE_STUDY, "--out", "busy"], dir);
    let exited = false;
    void done.then(() => {
      exited = true;
    });
    // Wait until the first run holds its folder's lock, however slow its start.
    let lock: string | undefined;
    while (lock === undefined && !exited) {
      const folder = await onlyRunFolder(join(dir, "busy")).catch(() => undefined);
      if (
        folder &&
        (await stat(join(folder, "stages.jsonl.lock")).then(
          () => true,
          () => false,
        ))
      )
        lock = join(folder, "stages.jsonl.lock");
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(lock).toBeDefined();
    // Paused, the first run holds the lock until it is killed, however long the second takes.
    child.kill("SIGSTOP");
    const second = await runPva(["run", SMOKE_STUDY, "--out", "busy"], dir);
    child.kill("SIGKILL");
    await done;
    expectOneLineError(
      second,
      new RegExp(
        `smoke-[0-9a-f]{12}: another pva run \\(process ${child.pid}\\) is working on this run folder`,
      ),
    );
  });
});
