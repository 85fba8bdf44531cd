import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUN_FILES } from "@pva/core";
import { writeRandomCheckpoint } from "@pva/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onlyRunFolder, type PvaResult, runPva, SMOKE_STUDY } from "./pva-child.test-support.js";
import { tinyLlamaSpec } from "./tiny-checkpoint.test-support.js";

// A study on a local model folder beside it ("../model"), its runs beside both ("../runs"): the
// three can move together. The model is a small random checkpoint so every stage runs in seconds.
const spec = tinyLlamaSpec("model-identity-a");

const study = {
  name: "ident",
  seed: 7,
  model: { source: "../model" },
  activities: "activities.csv",
  emotions: ["blissful", "hostile", "afraid", "calm"],
  rating: { bootstrap: 20 },
  vectors: { storiesPerEmotion: 2 },
  analysis: { bootstrap: 20, permutations: 20 },
  output: { dir: "../runs" },
};
let root: string;
let work: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "pva-cli-model-identity-"));
  work = join(root, "work");
  await mkdir(join(work, "study"), { recursive: true });
  await writeFile(join(work, "study", "study.json"), JSON.stringify(study, null, 2));
  await copyFile(join(SMOKE_STUDY, "activities.csv"), join(work, "study", "activities.csv"));
  await writeRandomCheckpoint(join(work, "model"), spec);
});
afterAll(() => rm(root, { recursive: true, force: true }));

function expectOk(result: PvaResult): void {
  expect(result.stderr).not.toMatch(/^pva: /m);
  expect(result.code).toBe(0);
}

const MODEL_STAGES = ["elicit", "vectors", "probe"];

/** Every file of a folder, by relative path, as text. */
async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path.slice(dir.length + 1), await readFile(path));
    }
  return files;
}

async function choiceKeys(runDir: string): Promise<string[]> {
  const text = await readFile(join(runDir, RUN_FILES.choices), "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { key: string }).key);
}

describe("a study on a local model folder", () => {
  let runDir: string;

  it("names the model by its path from the study, and no artifact holds a path of this machine", async () => {
    const result = await runPva(["run", join(work, "study")], root);
    expectOk(result);
    runDir = await onlyRunFolder(join(work, "runs"));
    const manifest = JSON.parse(await readFile(join(runDir, RUN_FILES.manifest), "utf8"));
    expect(manifest.model.id).toBe("../model");
    expect(manifest.config.model.source).toBe("../model");
    const firstChoice = JSON.parse((await readFile(join(runDir, RUN_FILES.choices), "utf8")).split("\n")[0]);
    expect(firstChoice.model).toBe("../model");
    // the working directory (and the model's, the study's and the run's folders below it)
    const files = await filesOf(runDir);
    expect(files.size).toBeGreaterThan(10);
    for (const [file, bytes] of files) expect(bytes.includes(root), file).toBe(false);
  });

  it("re-runs nothing when nothing changed", async () => {
    const result = await runPva(["run", join(work, "study")], root);
    expectOk(result);
    for (const stage of [...MODEL_STAGES, "analyze", "report"])
      expect(result.stderr).toContain(`${stage}: up to date`);
  });

  it("moved with its model and its runs, keeps its run folder and choice keys and computes nothing", async () => {
    const keys = await choiceKeys(runDir);
    const moved = join(root, "elsewhere", "deeper");
    await mkdir(join(root, "elsewhere"));
    await rename(work, moved);
    // from another working directory too, so nothing depends on where pva runs
    const result = await runPva(["run", "deeper/study"], join(root, "elsewhere"));
    expectOk(result);
    for (const stage of [...MODEL_STAGES, "analyze", "report"])
      expect(result.stderr).toContain(`${stage}: up to date`);
    const movedRun = await onlyRunFolder(join(moved, "runs"));
    expect(movedRun.slice(moved.length)).toBe(runDir.slice(work.length));
    expect(await choiceKeys(movedRun)).toEqual(keys);
    await rename(moved, work);
  });

  it("asks again and reads the vectors again when the folder's weights are replaced", async () => {
    const before = await readFile(join(runDir, RUN_FILES.vectors));
    const keys = await choiceKeys(runDir);
    await writeRandomCheckpoint(join(work, "model"), { ...spec, seed: "model-identity-b" });
    const result = await runPva(["run", join(work, "study")], root);
    expectOk(result);
    for (const stage of MODEL_STAGES) expect(result.stderr).not.toContain(`${stage}: up to date`);
    expect(result.stderr).toMatch(/^elicit: 240\/240 comparisons/m);
    expect(await readFile(join(runDir, RUN_FILES.vectors))).not.toEqual(before);
    // the new answers are new records, not the old ones found under the old keys
    const after = await choiceKeys(runDir);
    expect(after.slice(keys.length)).toHaveLength(240);
    expect(after.slice(keys.length).some((key) => keys.includes(key))).toBe(false);
  });

  it("puts --model ./x into the run's hash as the study file would: relative to the study", async () => {
    const same = await runPva(["elicit", "study", "--model", "./model"], work);
    expectOk(same);
    expect(same.stderr).toContain("elicit: up to date");
    expect(await readdir(join(work, "runs"))).toHaveLength(1);
  });
});
