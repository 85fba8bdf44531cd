import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertToGguf } from "./gguf-export.js";
import type { HookSite } from "./hook-site.js";
import { createWasmBackend, type WasmBackend } from "./kernels/index.js";
import { loadModelOn, type Model } from "./load.js";
import { writeRandomCheckpoint } from "./random-checkpoint.js";
import type { SteerSpec } from "./steering-vector.js";

// A model larger than one WebAssembly memory's share is spread over several memories, each with
// its own kernels and workers (kernels/wasm-backend.ts). Lowering the share spreads this small
// model over several memories; the kernels then compute exactly what they compute in one memory
// (the same code on the same values; only where the activations are copied differs), so logits,
// captures and steering must come out bit for bit the same.

const H = 256;
const LAYERS = 4;
const VOCAB = 320;
const tokens = (() => {
  const rng = createRng("model-memories-tokens");
  return Array.from({ length: 24 }, () => rng.int(VOCAB));
})();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-memories-"));
  await writeRandomCheckpoint(join(dir, "f32"), {
    architecture: "llama",
    hiddenSize: H,
    numLayers: LAYERS,
    numHeads: 4,
    numKvHeads: 2,
    intermediateSize: 512,
    vocabSize: VOCAB,
    maxPositions: 64,
    initStd: 0.05,
    tieWordEmbeddings: false,
    seed: "model-memories",
  });
  await convertToGguf(join(dir, "f32"), join(dir, "q8_0.gguf"), { type: "Q8_0" });
  await convertToGguf(join(dir, "f32"), join(dir, "q4_k.gguf"), { type: "Q4_K" });
  // No timeout of its own: vitest.config.ts's hook timeout (600 s) is the hang guard. This setup
  // takes seconds alone, but on the shared machine under load it ran past the 120 s it once had.
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The model loaded into one memory, and into about four (each memory's share a quarter of its weights). */
async function loadBoth(source: string): Promise<{ single: Model; spread: Model; memories: number[] }> {
  const oneMemory = await createWasmBackend({ threads: 2 });
  const single = await loadModelOn(oneMemory, join(dir, source));
  const share = Math.ceil(single.footprint.memoryBytes / 4);
  const several: WasmBackend = await createWasmBackend({ threads: 2, bytesPerMemory: share });
  const spread = await loadModelOn(several, join(dir, source));
  return { single, spread, memories: [oneMemory.memories, several.memories] };
}

function vector(seed: string): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: H }, () => rng.normal());
}

describe.each(["f32", "q8_0.gguf", "q4_k.gguf"])("a model spread over several memories (%s)", (source) => {
  let single: Model;
  let spread: Model;
  let memories: number[];
  beforeAll(async () => {
    ({ single, spread, memories } = await loadBoth(source));
  });
  afterAll(async () => {
    await single?.dispose();
    await spread?.dispose();
  });

  it("takes several memories where the other takes one", () => {
    expect(memories[0]).toBe(1);
    // Every matrix but the largest fits a quarter of the weights, so the weights alone need four.
    expect(memories[1]).toBeGreaterThanOrEqual(4);
  });

  it("gives bit-identical logits at every position", async () => {
    const want = await single.forward(tokens, { logits: "all" });
    const got = await spread.forward(tokens, { logits: "all" });
    expect(got.logits.length).toBe(tokens.length * VOCAB);
    expect(got.logits).toEqual(want.logits);
  });

  it("captures and steers the residual stream identically, across memories", async () => {
    const capture: HookSite[] = [
      "blocks.0.hook_resid_mid",
      `blocks.${LAYERS - 1}.hook_resid_post`,
      "ln_final.hook_normalized",
    ];
    const steer: SteerSpec[] = [
      {
        site: "blocks.2.hook_resid_pre",
        vector: vector("memories-steer"),
        scale: 4,
        positions: { start: 5, end: 12 },
      },
    ];
    const want = await single.forward(tokens, { capture, steer, logits: "all" });
    const got = await spread.forward(tokens, { capture, steer, logits: "all" });
    for (const site of capture) {
      expect(got.captures.get(site)?.length).toBe(tokens.length * H);
      expect(got.captures.get(site)).toEqual(want.captures.get(site));
    }
    expect(got.logits).toEqual(want.logits);
    // The steering took effect (so the equality above is not two unsteered runs).
    const plain = await spread.forward(tokens, { logits: "all" });
    const before = plain.logits.subarray(4 * VOCAB, 5 * VOCAB);
    expect(got.logits.subarray(4 * VOCAB, 5 * VOCAB)).toEqual(before);
    expect(got.logits.subarray(5 * VOCAB, 6 * VOCAB)).not.toEqual(
      plain.logits.subarray(5 * VOCAB, 6 * VOCAB),
    );
  });

  it("continues a cached prefix and runs continuations identically", async () => {
    const results = await Promise.all(
      [single, spread].map(async (model) => {
        const prefix = model.createCache();
        await model.forward(tokens.slice(0, 16), { cache: prefix, logits: "none" });
        const next = await model.forward(tokens.slice(16, 20), { cache: prefix.clone() });
        const branches = await model.forwardContinuations(prefix, [tokens.slice(16), tokens.slice(20, 21)]);
        return [next.logits, ...branches.map((branch) => branch.logits)];
      }),
    );
    expect(results[1]).toEqual(results[0]);
  });
});
