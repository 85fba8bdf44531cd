import { copyFile, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PvaError } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSafetensors, writeSafetensors } from "./formats/safetensors.js";
import { convertToGguf } from "./gguf-export.js";
import { inspectModel, loadModel, type Model } from "./load.js";
import { type ModelFootprint, memoryNeeded } from "./model-footprint.js";
import { type RandomCheckpointSpec, writeRandomCheckpoint } from "./random-checkpoint.js";
import { logSoftmaxRows, maxLogProbDifference } from "./testing/llama-cpp-reference.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-footprint-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const spec: RandomCheckpointSpec = {
  architecture: "llama",
  hiddenSize: 64,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  intermediateSize: 128,
  vocabSize: 320,
  maxPositions: 64,
  seed: "footprint",
  initStd: 0.1,
  tieWordEmbeddings: false,
};
const tokens = [5, 80, 17, 250, 3, 99, 64, 12];
// Parameters: embeddings and output 2 x 320 x 64; per layer q 64x64, k/v 32x64 each, o 64x64,
// gate/up/down 128x64 each, two norms of 64; the final norm 64.
const matrices = 2 * 320 * 64 + 2 * (64 * 64 + 2 * 32 * 64 + 64 * 64 + 3 * 128 * 64);
const vectors = 2 * 2 * 64 + 64;

async function logProbs(model: Model): Promise<Float64Array[]> {
  const { logits } = await model.forward(tokens, { logits: "all" });
  await model.dispose();
  return logSoftmaxRows(logits, model.config.vocabSize);
}

describe("16-bit and quantized weights in memory", () => {
  it("keeps a BF16 folder 16-bit (no F32 copy) with the log-probs of the same values stored as F32", async () => {
    await writeRandomCheckpoint(join(dir, "bf16"), { ...spec, dtype: "BF16" });
    // The same values as F32: BF16 decodes exactly to F32.
    await mkdir(join(dir, "bf16-as-f32"));
    const { tensors } = await readSafetensors(join(dir, "bf16", "model.safetensors"));
    await writeSafetensors(join(dir, "bf16-as-f32", "model.safetensors"), tensors, { format: "pt" });
    for (const file of ["config.json", "tokenizer.json", "tokenizer_config.json"])
      await copyFile(join(dir, "bf16", file), join(dir, "bf16-as-f32", file));

    const info = await inspectModel(join(dir, "bf16"), { backend: "js" });
    expect(info.footprint.parameters).toBe(matrices + vectors);
    expect(info.footprint.storedTypes).toEqual({ BF16: matrices + vectors });
    expect(info.footprint.memoryTypes).toEqual({ bf16: matrices, f32: vectors });
    expect(info.footprint.memoryBytes).toBe(matrices * 2 + vectors * 4);
    const f32Info = await inspectModel(join(dir, "bf16-as-f32"), { backend: "js" });
    expect(f32Info.footprint.memoryBytes).toBe((matrices + vectors) * 4);

    const half = await logProbs(await loadModel(join(dir, "bf16"), { backend: "js" }));
    const full = await logProbs(await loadModel(join(dir, "bf16-as-f32"), { backend: "js" }));
    expect(maxLogProbDifference(full, half)).toBeLessThanOrEqual(1e-5);
  });

  it("quantizes while loading when asked (loadModel quantize: q8_0), close to the F32 model", async () => {
    await writeRandomCheckpoint(join(dir, "f32"), spec);
    const info = await inspectModel(join(dir, "f32"), { backend: "js", quantize: "q8_0" });
    expect(info.footprint.memoryTypes).toEqual({ q8_0: matrices, f32: vectors });
    expect(info.footprint.memoryBytes).toBe((matrices / 32) * 34 + vectors * 4);
    const seen: { loaded: number; total: number }[] = [];
    const exact = await logProbs(
      await loadModel(join(dir, "f32"), { backend: "js", onLoadProgress: (p) => seen.push(p) }),
    );
    // Progress counts every stored byte once, in order, up to the tensor data's size.
    expect(seen.at(-1)).toEqual({ loaded: (matrices + vectors) * 4, total: (matrices + vectors) * 4 });
    expect(seen.every((p, i) => i === 0 || p.loaded > seen[i - 1].loaded)).toBe(true);
    const quantized = await logProbs(await loadModel(join(dir, "f32"), { backend: "js", quantize: "q8_0" }));
    // The same values as the writer's Q8_0 GGUF: our quantizer is the one both use.
    await convertToGguf(join(dir, "f32"), join(dir, "f32.q8_0.gguf"), { type: "q8_0" });
    const file = await logProbs(await loadModel(join(dir, "f32.q8_0.gguf"), { backend: "js" }));
    expect(maxLogProbDifference(file, quantized)).toBeLessThanOrEqual(1e-5);
    const diff = maxLogProbDifference(exact, quantized, Math.log(1e-4));
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(0.1);
  });

  it("reports a GGUF's stored types, bytes on disk and memory needed", async () => {
    await writeRandomCheckpoint(join(dir, "k"), { ...spec, hiddenSize: 256, intermediateSize: 256 });
    const file = join(dir, "k.q4_K.gguf");
    await convertToGguf(join(dir, "k"), file, { type: "q4_K" });
    const info = await inspectModel(file, { backend: "js" });
    expect(info.bytesOnDisk).toBe((await stat(file)).size);
    expect(Object.keys(info.footprint.storedTypes).sort()).toEqual(["F32", "Q4_K"]);
    expect(info.footprint.memoryTypes.q4_k).toBe(info.footprint.storedTypes.Q4_K);
    expect(info.memoryNeeded).toBeGreaterThan(info.footprint.memoryBytes);
    expect(info.config).toMatchObject({ architecture: "llama", hiddenSize: 256, numLayers: 2 });
  });

  it("refuses a model that cannot fit before reading its weights: one line with what it needs and what to try", async () => {
    const error = await loadModel(join(dir, "f32"), { backend: "js", availableMemory: 1e6 }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(PvaError);
    expect(error?.message).toMatch(
      new RegExp(
        `^${join(dir, "f32").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: needs about 0\\.\\d+ GB of memory to load .* but 0\\.001 GB is free; try --quantize q8_0`,
      ),
    );
    expect(error?.message).toContain("a smaller quantization");
    expect(error?.message).not.toContain("\n");
    // Already quantized: q8_0 is not offered again.
    const quantized = await loadModel(join(dir, "f32.q8_0.gguf"), {
      backend: "js",
      availableMemory: 1e6,
    }).then(
      () => null,
      (e: Error) => e,
    );
    expect(quantized?.message).not.toContain("--quantize");
    expect(quantized?.message).toContain("a smaller quantization");
  });
});

describe("memoryNeeded", () => {
  const weights = (memoryBytes: number): ModelFootprint => ({
    parameters: 0,
    storedTypes: {},
    storedBytes: 0,
    memoryTypes: {},
    memoryBytes,
  });
  const MiB = 2 ** 20;

  it("adds 5% and 256 MiB to weights that fit one WebAssembly memory", () => {
    expect(memoryNeeded(weights(1e9), 16)).toBe(1.05e9 + 256 * MiB);
  });

  it("adds each memory's workers and staging for weights spread over several", () => {
    // 8.5 GB (an 8B Q8_0) over shares of 3.75 GiB: 3 memories, each 15 workers x 8 MiB + 32 MiB.
    expect(memoryNeeded(weights(8.5e9), 16)).toBe(
      Math.ceil(8.5e9 * 1.05) + 256 * MiB + 3 * (15 * 8 + 32) * MiB,
    );
  });
});
