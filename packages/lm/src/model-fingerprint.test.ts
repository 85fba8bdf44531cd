import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseModelSource } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "./load.js";
import { modelFingerprint } from "./model-fingerprint.js";
import { type RandomCheckpointSpec, writeRandomCheckpoint } from "./random-checkpoint.js";

const spec: RandomCheckpointSpec = {
  architecture: "llama",
  hiddenSize: 32,
  numLayers: 1,
  numHeads: 2,
  numKvHeads: 1,
  intermediateSize: 64,
  vocabSize: 300,
  maxPositions: 64,
  seed: "fingerprint-a",
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-fingerprint-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("modelFingerprint", () => {
  it("of a builtin is its spec: stable, and different per builtin", async () => {
    const tiny = await modelFingerprint(parseModelSource("builtin:random-tiny", dir));
    expect(await modelFingerprint(parseModelSource("builtin:random-tiny", dir))).toBe(tiny);
    expect(await modelFingerprint(parseModelSource("builtin:random-135m", dir))).not.toBe(tiny);
  });

  it("of a local folder survives a move and unrelated files, and changes when the weights are replaced", async () => {
    const folder = join(dir, "a", "model");
    await writeRandomCheckpoint(folder, spec);
    const before = await modelFingerprint(parseModelSource(folder, dir));
    expect(await modelFingerprint(parseModelSource(folder, dir))).toBe(before);

    await writeFile(join(folder, "README.md"), "notes\n");
    expect(await modelFingerprint(parseModelSource(folder, dir))).toBe(before);

    const moved = join(dir, "b");
    await rename(join(dir, "a"), moved);
    expect(await modelFingerprint(parseModelSource(join(moved, "model"), dir))).toBe(before);

    // same shape, other weights, written in place
    await writeRandomCheckpoint(join(moved, "model"), { ...spec, seed: "fingerprint-b" });
    expect(await modelFingerprint(parseModelSource(join(moved, "model"), dir))).not.toBe(before);
  });

  it("holds no path, and the model it fingerprints is named by its portable id", async () => {
    const study = join(dir, "study");
    const folder = join(dir, "models", "m");
    await writeRandomCheckpoint(folder, spec);
    const source = parseModelSource("../models/m", study);
    const model = await loadModel(source, { backend: "js", threads: 1 });
    try {
      expect(model.id).toBe("../models/m");
    } finally {
      await model.dispose();
    }
    expect(await modelFingerprint(source)).not.toContain(dir);
  });

  it("of a missing local model says so in one line", async () => {
    await expect(modelFingerprint(parseModelSource(join(dir, "nowhere"), dir))).rejects.toThrow(
      /nowhere: no such file or folder/,
    );
  });
});
