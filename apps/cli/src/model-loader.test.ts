import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadModel, writeRandomCheckpoint } from "@pva/lm";
import { afterAll, describe, expect, it } from "vitest";
import { modelInfo } from "./model-loader.js";

const dir = await mkdtemp(join(tmpdir(), "pva-cli-model-info-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("modelInfo (what the manifest says about the model)", () => {
  it("marks a random-weight folder as random from its own metadata, though it is not builtin", async () => {
    const folder = join(dir, "random-llama");
    await writeRandomCheckpoint(folder, {
      architecture: "llama",
      hiddenSize: 32,
      numLayers: 2,
      numHeads: 4,
      intermediateSize: 48,
      vocabSize: 300,
      maxPositions: 64,
      seed: "model-info",
    });
    const model = await loadModel(folder);
    try {
      const info = modelInfo(model);
      expect(info.builtinRandom).toBe(false);
      expect(info.randomWeights).toBe(true);
    } finally {
      await model.dispose();
    }
    const builtin = await loadModel("builtin:random-tiny");
    try {
      expect(modelInfo(builtin)).toMatchObject({ builtinRandom: true, randomWeights: true });
    } finally {
      await builtin.dispose();
    }
  });
});
