import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openGguf } from "./formats/gguf.js";
import { readSafetensors } from "./formats/safetensors.js";
import { convertToGguf } from "./gguf-export.js";
import { loadModel } from "./load.js";
import { type RandomCheckpointSpec, writeRandomCheckpoint } from "./random-checkpoint.js";
import { randomGgufInCache, writeRandomGguf } from "./random-gguf.js";

// Llama-3.1-8B's features (GQA, untied head, Llama-3 rope scaling) at a size a test can write;
// 256-wide rows so Q4_K_M's mix picks K types, 4 layers so use_more_bits picks some layers.
const SPEC: RandomCheckpointSpec = {
  architecture: "llama",
  hiddenSize: 256,
  numLayers: 4,
  numHeads: 4,
  numKvHeads: 2,
  intermediateSize: 512,
  vocabSize: 600,
  maxPositions: 4096,
  ropeTheta: 500000,
  ropeScaling: { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 1024 },
  tieWordEmbeddings: false,
  seed: "random-gguf-test",
  initStd: 0.05,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-random-gguf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = async (file: string) =>
  createHash("sha256")
    .update(await readFile(file))
    .digest("hex");

describe("writeRandomGguf", () => {
  it("lays a model out as convertToGguf does writeRandomCheckpoint's folder: same metadata, names, types, shapes", async () => {
    const folder = join(dir, "hf");
    await writeRandomCheckpoint(folder, SPEC);
    const converted = join(dir, "converted.gguf");
    await convertToGguf(folder, converted, { type: "q4_K_M" });
    const direct = join(dir, "direct.gguf");
    const progress: number[] = [];
    await writeRandomGguf(direct, SPEC, {
      type: "Q4_K_M",
      threads: 2,
      onProgress: (p) => progress.push(p.loaded / p.total),
    });
    const [a, b] = [await openGguf(converted), await openGguf(direct)];
    try {
      expect([...b.metadata]).toEqual([...a.metadata]);
      expect(b.metadata.get("pva.random_weights")).toBe(true);
      const layout = (g: typeof a) => g.tensors.map((t) => [t.name, t.dtype, t.shape.join("x")].join(" "));
      expect(layout(b)).toEqual(layout(a));
      // The mix is really there: Q6_K for the output and for ffn_down on the layers use_more_bits
      // picks (of 4: layer 3, the last eighth, and layer 2, every third from 0), Q4_K elsewhere.
      const types = new Map(b.tensors.map((t) => [t.name, t.dtype]));
      const downs = [0, 1, 2, 3].map((l) => types.get(`blk.${l}.ffn_down.weight`));
      expect([types.get("output.weight"), ...downs]).toEqual(["Q6_K", "Q4_K", "Q4_K", "Q6_K", "Q6_K"]);
      expect([types.get("blk.0.attn_norm.weight"), types.get("rope_freqs.weight")]).toEqual(["F32", "F32"]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);
  });

  it("writes the same bytes whatever the thread count, and a different seed gives different weights", async () => {
    const one = join(dir, "one.gguf");
    const three = join(dir, "three.gguf");
    const other = join(dir, "other.gguf");
    await writeRandomGguf(one, SPEC, { type: "q8_0", threads: 1 });
    await writeRandomGguf(three, SPEC, { type: "q8_0", threads: 3 });
    await writeRandomGguf(other, { ...SPEC, seed: "another" }, { type: "q8_0", threads: 2 });
    expect(await sha256(three)).toBe(await sha256(one));
    expect(await sha256(other)).not.toBe(await sha256(one));
  });

  it("loads as a random model of the spec's shape whose weights have the spec's spread", async () => {
    const file = await randomGgufInCache("test", SPEC, dir, { type: "q8_0", threads: 2 });
    expect(file).toBe(join(dir, "random-gguf", "test-v1-q8_0.gguf"));
    const model = await loadModel(file, { backend: "js" });
    try {
      expect(model.randomWeights).toBe(true);
      expect(model.config).toMatchObject({ hiddenSize: 256, numLayers: 4, numKvHeads: 2, vocabSize: 600 });
      expect(model.config.rope?.scaling?.type).toBe("freq-factors");
      const { logits } = await model.forward([1, 2, 3], { logits: "last" });
      expect(logits!.every(Number.isFinite)).toBe(true);
    } finally {
      await model.dispose();
    }
    // Drawn N(0, 0.05^2): the token embedding's standard deviation, through Q8_0's rounding.
    const g = await openGguf(file);
    try {
      const values = new Float32Array(600 * 256);
      await g.readInto("token_embd.weight", values);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      expect(Math.abs(mean)).toBeLessThan(0.001);
      expect(sd).toBeGreaterThan(0.049);
      expect(sd).toBeLessThan(0.051);
    } finally {
      await g.close();
    }
    // A second call finds the file in the cache and leaves it alone.
    const before = await sha256(file);
    expect(await randomGgufInCache("test", SPEC, dir, { type: "Q8_0" })).toBe(file);
    expect(await sha256(file)).toBe(before);
  });
});

describe("embeddingInitStd", () => {
  it("draws the token embedding alone at its own spread, in both random writers", async () => {
    const spec = { ...SPEC, embeddingInitStd: 0.5 };
    const file = join(dir, "wide-embedding.gguf");
    await writeRandomGguf(file, spec, { type: "q8_0", threads: 1 });
    const g = await openGguf(file);
    const gguf = new Map<string, Float32Array>();
    try {
      for (const name of ["token_embd.weight", "output.weight"]) {
        const values = new Float32Array(600 * 256);
        await g.readInto(name, values);
        gguf.set(name, values);
      }
    } finally {
      await g.close();
    }
    const folder = join(dir, "wide-embedding");
    await writeRandomCheckpoint(folder, spec);
    const { tensors } = await readSafetensors(join(folder, "model.safetensors"));
    const sd = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    // 153600 draws each: the sample sd is within 0.3% of the true one (Q8_0 adds ~0.2%).
    for (const embedding of [
      gguf.get("token_embd.weight")!,
      tensors.get("model.embed_tokens.weight")!.data,
    ]) {
      expect(sd(embedding)).toBeGreaterThan(0.49);
      expect(sd(embedding)).toBeLessThan(0.51);
    }
    for (const head of [gguf.get("output.weight")!, tensors.get("lm_head.weight")!.data]) {
      expect(sd(head)).toBeGreaterThan(0.049);
      expect(sd(head)).toBeLessThan(0.051);
    }
  });
});

describe("writeRandomGguf from the published bundle", () => {
  it("starts its worker threads from dist/ in a plain Node process and writes what src/ writes", async () => {
    const bundle = pathToFileURL(fileURLToPath(new URL("../dist/index.js", import.meta.url))).href;
    const fromSrc = join(dir, "src.gguf");
    const fromDist = join(dir, "dist.gguf");
    await writeRandomGguf(fromSrc, SPEC, { type: "q4_0", threads: 1 });
    const script = `
      const { writeRandomGguf } = await import(${JSON.stringify(bundle)});
      await writeRandomGguf(${JSON.stringify(fromDist)}, ${JSON.stringify(SPEC)}, { type: "q4_0", threads: 2 });`;
    await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
    expect(await sha256(fromDist)).toBe(await sha256(fromSrc));
  });
});
