import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeRandomCheckpoint } from "@pva/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPva, SMOKE_STUDY } from "./pva-child.test-support.js";
import { tinyLlamaSpec } from "./tiny-checkpoint.test-support.js";

// The pre-flight checks of the study's names against files and the model. Most of their cases
// are rows of bad-input.test.ts, all on the builtin model; here a local model folder beside the
// study, named relative to the study file, with pva run from a folder where that relative name
// finds nothing, so the check has to read the model where the study says it is.
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "pva-cli-check-study-"));
  await mkdir(join(root, "work", "study"), { recursive: true });
  await mkdir(join(root, "elsewhere"));
  await writeRandomCheckpoint(join(root, "work", "model"), tinyLlamaSpec("check-study"));
  const study = {
    name: "layers",
    seed: 7,
    model: { source: "../model" },
    activities: join(SMOKE_STUDY, "activities.csv"),
    emotions: ["blissful", "hostile", "afraid", "calm"],
    vectors: { storiesPerEmotion: 2, layers: [1, 5] },
  };
  await writeFile(join(root, "work", "study", "study.json"), JSON.stringify(study, null, 2));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("checkStudy on a local model", () => {
  it("finds a layer beyond the model's from any working folder, before any stage runs", async () => {
    const studyFile = join(root, "work", "study", "study.json");
    const result = await runPva(
      ["vectors", join(root, "work", "study"), "--out", "runs"],
      join(root, "elsewhere"),
    );
    expect(result.stderr.trimEnd()).toBe(
      `pva: ${studyFile}: vectors.layers: layer 5 outside the model's layers 0..1 (../model)`,
    );
    expect(result.code).toBe(2);
  });
});
