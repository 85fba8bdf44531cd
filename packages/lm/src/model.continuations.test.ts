import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayerKvCache } from "./cache.js";
import type { HookSite } from "./hook-site.js";
import { loadModel, type Model } from "./load.js";
import { writeRandomCheckpoint } from "./random-checkpoint.js";
import type { SteerSpec } from "./steering-vector.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-continuations-"));
  await writeRandomCheckpoint(join(dir, "gpt2"), {
    architecture: "gpt2",
    hiddenSize: 32,
    numLayers: 2,
    numHeads: 4,
    intermediateSize: 64,
    vocabSize: 300,
    maxPositions: 64,
    seed: "continuations-gpt2",
  });
  await writeRandomCheckpoint(join(dir, "gemma3"), {
    architecture: "gemma3",
    hiddenSize: 32,
    numLayers: 2,
    numHeads: 2,
    headDim: 16,
    intermediateSize: 64,
    vocabSize: 300,
    maxPositions: 64,
    slidingWindow: 5,
    layerTypes: ["sliding_attention", "full_attention"],
    seed: "continuations-gemma3",
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function randomTokens(seed: string, n: number, vocab: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.int(vocab));
}

/** The cache's held keys and values, copied. */
function snapshot(cache: LayerKvCache): Float32Array[] {
  const used = cache.length * cache.kvDim;
  return [...cache.keys, ...cache.values].map((buffer) => buffer.slice(0, used));
}

const cases = [
  { name: "llama-style random-tiny, plain-TS kernels", source: "builtin:random-tiny", backend: "js" },
  { name: "llama-style random-tiny, WebAssembly kernels", source: "builtin:random-tiny", backend: "wasm" },
  { name: "GPT-2 (learned positions), WebAssembly kernels", source: "gpt2", backend: "wasm" },
  {
    name: "Gemma 3 (a window shorter than the prefix), WebAssembly kernels",
    source: "gemma3",
    backend: "wasm",
  },
] as const;

describe.each(cases)("forwardContinuations: $name", ({ source, backend }) => {
  let model: Model;
  let prefixTokens: number[];
  let continuations: number[][];
  beforeAll(async () => {
    model = await loadModel(source.startsWith("builtin:") ? source : join(dir, source), {
      cacheDir: join(dir, "models"),
      backend,
    });
    const vocab = Math.min(model.config.vocabSize, 1024);
    prefixTokens = randomTokens("prefix", 11, vocab);
    // uneven lengths, one of a single token, and two that start alike
    continuations = [7, 1, 12, 4].map((n, i) => randomTokens(`continuation-${i}`, n, vocab));
    continuations.push([...continuations[0].slice(0, 3), ...randomTokens("twin", 5, vocab)]);
  });
  afterAll(async () => {
    await model?.dispose();
  });

  async function prefixCache(): Promise<LayerKvCache> {
    const cache = model.createCache();
    await model.forward(prefixTokens, { cache, logits: "none" });
    return cache as LayerKvCache;
  }

  it("gives each continuation the last-token logits of a plain forward of prefix + continuation, and leaves the prefix cache as it was", async () => {
    const cache = await prefixCache();
    const before = snapshot(cache);
    const results = await model.forwardContinuations(cache, continuations);
    expect(results).toHaveLength(continuations.length);
    for (const [i, tokens] of continuations.entries()) {
      const reference = await model.forward([...prefixTokens, ...tokens], { logits: "last" });
      expect(maxAbsDiff(results[i].logits, reference.logits)).toBeLessThan(1e-4);
    }
    expect(cache.length).toBe(prefixTokens.length);
    const after = snapshot(cache);
    for (const [i, buffer] of before.entries()) expect(after[i]).toEqual(buffer);
    // and the cache still continues as before
    const again = await model.forward(continuations[2], { cache: cache.clone(), logits: "last" });
    expect(maxAbsDiff(again.logits, results[2].logits)).toBeLessThan(1e-4);
  });

  it("steers each continuation with its own specs only, and captures each one's rows", async () => {
    const P = prefixTokens.length;
    const site: HookSite = "blocks.0.hook_resid_post";
    const vector = Float32Array.from({ length: model.config.hiddenSize }, (_, i) => Math.sin(i + 1));
    const spec = (start: number, end: number): SteerSpec => ({
      site,
      vector,
      scale: 3,
      positions: { start, end },
    });
    // continuation 2 steered on its tokens 2..5; continuation 3 from inside the prefix on (only its own rows run)
    const steer = [[], [], [spec(P + 2, P + 6)], [spec(P - 4, P + 2)], []];
    const capture: HookSite[] = ["blocks.1.hook_resid_mid", "ln_final.hook_normalized"];
    const cache = await prefixCache();
    const results = await model.forwardContinuations(cache, continuations, { steer, capture });
    const unsteered = await model.forwardContinuations(cache, continuations);
    for (const [i, tokens] of continuations.entries()) {
      const reference = await model.forward([...prefixTokens, ...tokens], {
        logits: "last",
        capture,
        steer: steer[i].map((s) => ({
          ...s,
          positions: { start: Math.max(s.positions.start, P), end: s.positions.end },
        })),
      });
      expect(maxAbsDiff(results[i].logits, reference.logits)).toBeLessThan(1e-4);
      for (const name of capture) {
        const rows = reference.captures.get(name)!.subarray(P * model.config.hiddenSize);
        expect(maxAbsDiff(results[i].captures.get(name)!, rows)).toBeLessThan(1e-4);
      }
      const shift = maxAbsDiff(results[i].logits, unsteered[i].logits);
      if (steer[i].length > 0) expect(shift).toBeGreaterThan(1e-3);
      else expect(shift).toBe(0);
    }
  });

  it("rejects a steering list that does not match the continuations, and returns nothing for none", async () => {
    const cache = await prefixCache();
    await expect(model.forwardContinuations(cache, continuations, { steer: [[]] })).rejects.toThrow(
      /1 steering lists for 5 continuations/,
    );
    await expect(model.forwardContinuations(cache, [[1], []])).rejects.toThrow(/no tokens given/);
    expect(await model.forwardContinuations(cache, [])).toEqual([]);
    expect(cache.length).toBe(prefixTokens.length);
  });
});
