import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PvaError } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeGguf } from "./formats/gguf-writer.js";
import { readSafetensors, writeSafetensors } from "./formats/safetensors.js";
import { convertToGguf } from "./gguf-export.js";
import { loadModel } from "./load.js";
import { type RandomCheckpointSpec, writeRandomCheckpoint } from "./random-checkpoint.js";
import { BUILTIN_MODELS } from "./sources/builtin.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-load-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const spec: RandomCheckpointSpec = {
  architecture: "llama",
  hiddenSize: 32,
  numLayers: 1,
  numHeads: 2,
  numKvHeads: 1,
  intermediateSize: 64,
  vocabSize: 300,
  maxPositions: 64,
  seed: "load-test",
  initStd: 0.2,
};

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: Error) => e,
  );
}

describe("builtin models", () => {
  it("writes random-tiny once into the cache dir and marks it as random", async () => {
    const cacheDir = join(dir, "cache");
    const drawn: { file: string; loaded: number; total: number }[] = [];
    const first = await loadModel("builtin:random-tiny", { cacheDir, onProgress: (p) => drawn.push(p) });
    expect(first.builtinRandom).toBe(true);
    expect(first.randomWeights).toBe(true);
    expect(first.config).toMatchObject({
      architecture: "llama",
      hiddenSize: 64,
      numLayers: 4,
      vocabSize: 1024,
    });
    const weights = join(cacheDir, "builtin", "random-tiny-v2", "model.safetensors");
    const written = (await stat(weights)).mtimeMs;
    // Writing it reported progress over the tensor bytes: the file less its length prefix and header.
    const file = await readFile(weights);
    const tensorBytes = file.length - 8 - Number(file.readBigUInt64LE(0));
    expect(drawn.length).toBeGreaterThan(1);
    expect(drawn.every((p) => p.file === "model.safetensors" && p.total === tensorBytes)).toBe(true);
    expect(drawn.map((p) => p.loaded)).toEqual([...drawn.map((p) => p.loaded)].sort((a, b) => a - b));
    expect(drawn.at(-1)?.loaded).toBe(tensorBytes);
    // Its footprint, against the file: every tensor's values counted from the safetensors header.
    const header = JSON.parse(file.subarray(8, 8 + Number(file.readBigUInt64LE(0))).toString("utf8"));
    const values = Object.entries(header)
      .filter(([name]) => name !== "__metadata__")
      .reduce((sum, [, t]) => sum + (t as { shape: number[] }).shape.reduce((p, d) => p * d, 1), 0);
    expect(first.footprint).toEqual({
      parameters: values,
      storedTypes: { F32: values },
      storedBytes: 4 * values,
      memoryTypes: { f32: values }, // F32 weights stay F32 in memory
      memoryBytes: 4 * values,
    });
    const again: unknown[] = [];
    const second = await loadModel("builtin:random-tiny", { cacheDir, onProgress: (p) => again.push(p) });
    expect(again).toEqual([]);
    expect((await stat(weights)).mtimeMs).toBe(written);
    expect(second.hash).toBe(first.hash);
    expect(second.hash).toMatch(/^[0-9a-f]{64}$/);
    await first.dispose();
    await second.dispose();
  });

  it("honours PVA_CACHE_DIR and rejects unknown names", async () => {
    const previous = process.env.PVA_CACHE_DIR;
    process.env.PVA_CACHE_DIR = join(dir, "env-cache");
    try {
      const model = await loadModel("builtin:random-tiny");
      await stat(join(dir, "env-cache", "builtin", "random-tiny-v2", "config.json"));
      await model.dispose();
    } finally {
      if (previous === undefined) delete process.env.PVA_CACHE_DIR;
      else process.env.PVA_CACHE_DIR = previous;
    }
    const error = await errorOf(loadModel("builtin:random-7b", { cacheDir: dir }));
    expect(error).toBeInstanceOf(PvaError);
    expect(error.message).toMatch(
      /builtin:random-7b: unknown builtin model \(known: builtin:random-tiny, builtin:random-135m\)/,
    );
  });
});

it("builtin:random-135m has SmolLM2-135M's shape (generating it takes ~10 s, so the bench does that)", () => {
  const spec = BUILTIN_MODELS["random-135m"];
  expect(spec).toMatchObject({
    hiddenSize: 576,
    numLayers: 30,
    numHeads: 9,
    numKvHeads: 3,
    intermediateSize: 1536,
    vocabSize: 49152,
  });
  const { hiddenSize: h, intermediateSize: ff, numLayers, vocabSize, numHeads } = spec;
  const kv = ((spec.numKvHeads ?? numHeads) * h) / numHeads;
  const perLayer = 2 * h * h + 2 * h * kv + 3 * h * ff + 2 * h; // q,o + k,v + gate,up,down + two norms
  // 134,515,008: the parameter count Hugging Face lists for SmolLM2-135M (tied embeddings).
  expect(spec.tieWordEmbeddings ?? true).toBe(true);
  expect(vocabSize * h + numLayers * perLayer + h).toBe(134515008);
});

describe("local folders", () => {
  it("loads BF16 and F16 checkpoints close to the F32 one", async () => {
    await writeRandomCheckpoint(join(dir, "f32"), spec);
    await writeRandomCheckpoint(join(dir, "bf16"), { ...spec, dtype: "BF16" });
    const tokens = [1, 50, 60, 70, 80];
    const exact = await loadModel(join(dir, "f32"), { backend: "js" });
    const half = await loadModel(join(dir, "bf16"), { backend: "js" });
    expect(half.builtinRandom).toBe(false);
    // writeRandomCheckpoint marks its weights as random, in config.json and in our GGUF files.
    expect(half.randomWeights).toBe(true);
    expect(JSON.parse(await readFile(join(dir, "f32", "config.json"), "utf8")).pva).toEqual({
      random_weights: true,
    });
    await convertToGguf(join(dir, "f32"), join(dir, "f32.gguf"), { type: "F32" });
    const gguf = await loadModel(join(dir, "f32.gguf"), { backend: "js" });
    expect(gguf.randomWeights).toBe(true);
    await gguf.dispose();
    const config = JSON.parse(await readFile(join(dir, "f32", "config.json"), "utf8"));
    await writeFile(join(dir, "f32", "config.json"), JSON.stringify({ ...config, pva: undefined }));
    const trained = await loadModel(join(dir, "f32"), { backend: "js" });
    expect(trained.randomWeights).toBe(false);
    await trained.dispose();
    await writeFile(join(dir, "f32", "config.json"), JSON.stringify(config));
    expect(half.hash).not.toBe(exact.hash);
    const a = (await exact.forward(tokens)).logits;
    const b = (await half.forward(tokens)).logits;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(0.1);
  });

  it("names the file and tensor when a checkpoint is broken", async () => {
    const broken = join(dir, "broken");
    await writeRandomCheckpoint(broken, spec);
    const file = join(broken, "model.safetensors");
    const { tensors } = await readSafetensors(file);
    const rewrite = async (edit: (t: typeof tensors) => void) => {
      const copy = new Map(tensors);
      edit(copy);
      await writeSafetensors(file, copy);
    };

    await rewrite((t) => t.delete("model.layers.0.mlp.up_proj.weight"));
    expect((await errorOf(loadModel(broken))).message).toBe(
      `${file}: tensor model.layers.0.mlp.up_proj.weight: missing`,
    );

    await rewrite((t) => t.set("model.norm.weight", { shape: [31], data: new Float32Array(31) }));
    expect((await errorOf(loadModel(broken))).message).toBe(
      `${file}: tensor model.norm.weight: shape [31], expected [32]`,
    );

    await rewrite((t) => {
      const data = t.get("model.layers.0.self_attn.v_proj.weight")!.data.slice();
      data[5] = Number.POSITIVE_INFINITY;
      t.set("model.layers.0.self_attn.v_proj.weight", { shape: [16, 32], data });
    });
    expect((await errorOf(loadModel(broken))).message).toMatch(
      /tensor model.layers.0.self_attn.v_proj.weight: non-finite value Infinity at element 5/,
    );

    const config = JSON.parse(await readFile(join(broken, "config.json"), "utf8"));
    await writeFile(
      join(broken, "config.json"),
      JSON.stringify({ ...config, model_type: "falcon", architectures: ["FalconForCausalLM"] }),
    );
    expect((await errorOf(loadModel(broken))).message).toBe(
      `${join(broken, "config.json")}: model_type: unsupported architecture "falcon" (supported: llama, qwen2, gpt2, gemma2, gemma3_text, qwen3, mistral, phi3)`,
    );

    expect((await errorOf(loadModel(join(dir, "nowhere")))).message).toMatch(
      /nowhere: no such file or folder/,
    );
  });
});

describe("GGUF files", () => {
  it("names the file and key or tensor when a GGUF model is unusable", async () => {
    const embedding = {
      name: "token_embd.weight",
      shape: [300, 32],
      data: new Float32Array(300 * 32),
      type: "F32" as const,
    };
    const falcon = join(dir, "falcon.gguf");
    await writeGguf(falcon, [{ key: "general.architecture", type: "string", value: "falcon" }], [embedding]);
    expect((await errorOf(loadModel(falcon))).message).toBe(
      `${falcon}: general.architecture: unsupported "falcon" (llama, qwen2, gpt2, gemma2, gemma3, qwen3, phi3 are)`,
    );

    const partial = join(dir, "partial.gguf");
    const u32 = (key: string, value: number) => ({ key: `llama.${key}`, type: "u32" as const, value });
    await writeGguf(
      partial,
      [
        { key: "general.architecture", type: "string", value: "llama" },
        u32("context_length", 64),
        u32("embedding_length", 32),
        u32("block_count", 1),
        u32("feed_forward_length", 64),
        u32("attention.head_count", 2),
        { key: "tokenizer.ggml.model", type: "string", value: "gpt2" },
        {
          key: "tokenizer.ggml.tokens",
          type: "array",
          itemType: "string",
          value: Array.from({ length: 300 }, (_, i) => `t${i}`),
        },
      ],
      [embedding],
    );
    expect((await errorOf(loadModel(partial))).message).toBe(
      `${partial}: tensor blk.0.attn_norm.weight: missing`,
    );

    const noBlocks = join(dir, "no-blocks.gguf");
    await writeGguf(noBlocks, [{ key: "general.architecture", type: "string", value: "llama" }], [embedding]);
    expect((await errorOf(loadModel(noBlocks))).message).toBe(
      `${noBlocks}: metadata llama.embedding_length: missing`,
    );
  });
});
