import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSafetensors } from "./formats/safetensors.js";
import type { HookSite } from "./hook-site.js";
import { loadModel, type Model } from "./load.js";
import { writeRandomCheckpoint } from "./random-checkpoint.js";

let cacheDir: string;
let model: Model;
/** A Gemma 2 (post-norms, soft-caps, GeGLU, a window shorter than the prompt) for the same steering and cache checks. */
let gemma: Model;
const GEMMA_WINDOW = 6;
const H = 64;
const tokens = (() => {
  const rng = createRng("model-test-tokens");
  return Array.from({ length: 20 }, () => rng.int(1024));
})();

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "pva-lm-model-"));
  model = await loadModel("builtin:random-tiny", { cacheDir });
  await writeRandomCheckpoint(join(cacheDir, "gemma2"), {
    architecture: "gemma2",
    hiddenSize: H,
    numLayers: 3,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 32,
    intermediateSize: 128,
    vocabSize: 1024,
    maxPositions: 64,
    slidingWindow: GEMMA_WINDOW,
    attnLogitSoftcapping: 8,
    finalLogitSoftcapping: 12,
    initStd: 0.1,
    seed: "model-test-gemma2",
  });
  gemma = await loadModel(join(cacheDir, "gemma2"));
});
afterAll(async () => {
  await model.dispose();
  await gemma.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

function rows(values: Float32Array, width: number): Float32Array[] {
  return Array.from({ length: values.length / width }, (_, r) => values.subarray(r * width, (r + 1) * width));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function randomVector(seed: string): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: H }, () => rng.normal());
}

describe("forward", () => {
  it("returns last, all or no logits consistently", async () => {
    const V = model.config.vocabSize;
    const all = await model.forward(tokens, { logits: "all" });
    const last = await model.forward(tokens);
    const none = await model.forward(tokens, { logits: "none" });
    expect(all.logits.length).toBe(tokens.length * V);
    expect(last.logits.length).toBe(V);
    expect(none.logits.length).toBe(0);
    expect(maxAbsDiff(last.logits, all.logits.subarray((tokens.length - 1) * V))).toBeLessThan(1e-5);
  });

  it("captures T x hidden at each site; resid_pre of block L+1 is resid_post of block L", async () => {
    const sites: HookSite[] = [
      "blocks.0.hook_resid_post",
      "blocks.1.hook_resid_pre",
      "blocks.1.hook_resid_mid",
      "ln_final.hook_normalized",
    ];
    const { captures } = await model.forward(tokens, { capture: sites, logits: "none" });
    for (const site of sites) expect(captures.get(site)?.length).toBe(tokens.length * H);
    expect(captures.get("blocks.1.hook_resid_pre")).toEqual(captures.get("blocks.0.hook_resid_post"));
    expect(
      maxAbsDiff(captures.get("blocks.1.hook_resid_mid")!, captures.get("blocks.1.hook_resid_pre")!),
    ).toBeGreaterThan(1e-3);
  });

  it("runs each site's hooks where its name says: steering there shows at it and later, never earlier", async () => {
    // Every site of the 4-block model, in the order the forward pass reaches them.
    const sites: HookSite[] = [
      ...[0, 1, 2, 3].flatMap((l): HookSite[] => [
        `blocks.${l}.hook_resid_pre`,
        `blocks.${l}.hook_resid_mid`,
        `blocks.${l}.hook_resid_post`,
      ]),
      "ln_final.hook_normalized",
    ];
    const vector = randomVector("every-site");
    const scale = 0.5;
    const plain = (await model.forward(tokens, { capture: sites, logits: "none" })).captures;
    for (const [at, site] of sites.entries()) {
      const positions = { start: 0, end: tokens.length };
      const { captures } = await model.forward(tokens, {
        capture: sites,
        steer: [{ site, vector, scale, positions }],
        logits: "none",
      });
      for (const [k, other] of sites.entries()) {
        const got = captures.get(other)!;
        if (k < at) expect(got, `${other} runs before ${site}`).toEqual(plain.get(other));
        else if (k === at)
          expect(got).toEqual(plain.get(site)!.map((v, i) => Math.fround(v + scale * vector[i % H])));
        else expect(maxAbsDiff(got, plain.get(other)!), `${other} runs after ${site}`).toBeGreaterThan(1e-4);
      }
    }
  });

  it("rejects unknown hook sites, wrong vector sizes and out-of-vocabulary tokens with one clear line", async () => {
    await expect(model.forward(tokens, { capture: ["blocks.9.hook_resid_post"] })).rejects.toThrow(
      /hook site "blocks.9.hook_resid_post": expected blocks.\{0..3\}/,
    );
    await expect(
      model.forward(tokens, {
        steer: [
          {
            site: "blocks.0.hook_resid_post",
            vector: new Float32Array(3),
            scale: 1,
            positions: { start: 0, end: 1 },
          },
        ],
      }),
    ).rejects.toThrow(/vector has 3 values, the model's hidden size is 64/);
    await expect(model.forward([5, 99999])).rejects.toThrow(
      /token id 99999 at index 1 is outside the vocabulary \[0, 1024\)/,
    );
  });
});

describe("Gemma 2's extra norms and the hook sites", () => {
  it("puts resid_mid after the post-attention norm's residual add and resid_post after the MLP's", async () => {
    // Each branch ends in an RMSNorm (gain 1 + w), so resid_mid - resid_pre divided by that gain
    // has an RMS of 1 at every position, and so has resid_post - resid_mid with the MLP's gain.
    const sites: HookSite[] = [
      "blocks.1.hook_resid_pre",
      "blocks.1.hook_resid_mid",
      "blocks.1.hook_resid_post",
    ];
    const { captures } = await gemma.forward(tokens, { capture: sites, logits: "none" });
    const [pre, mid, post] = sites.map((site) => captures.get(site)!);
    const { tensors } = await readSafetensors(join(cacheDir, "gemma2", "model.safetensors"));
    const gain = (name: string) => tensors.get(`model.layers.1.${name}.weight`)!.data.map((w) => 1 + w);
    const branchRms = (from: Float32Array, to: Float32Array, g: Float32Array, t: number) => {
      let ss = 0;
      for (let i = 0; i < H; i++) ss += ((to[t * H + i] - from[t * H + i]) / g[i]) ** 2;
      return Math.sqrt(ss / H);
    };
    for (let t = 0; t < tokens.length; t++) {
      expect(branchRms(pre, mid, gain("post_attention_layernorm"), t)).toBeCloseTo(1, 3);
      expect(branchRms(mid, post, gain("post_feedforward_layernorm"), t)).toBeCloseTo(1, 3);
    }
  });
});

/**
 * The last position a span ending at `end` reaches: without windows every later one; in the
 * Gemma 2 model, blocks.1 is followed only by block 2, a sliding layer, so a position sees the
 * span only while the span's last token is inside its window.
 */
const reachAfter = {
  llama: (_end: number) => Number.POSITIVE_INFINITY,
  gemma2: (end: number) => end - 1 + GEMMA_WINDOW - 1,
};

describe.each([
  ["llama (builtin:random-tiny)", () => model, reachAfter.llama],
  ["gemma2", () => gemma, reachAfter.gemma2],
])("steering, %s", (_, modelOf, reach) => {
  let model: Model;
  beforeAll(() => {
    model = modelOf();
  });
  const site: HookSite = "blocks.1.hook_resid_post";
  const span = { start: 8, end: 12 };

  it("changes only positions at and after the span (as far as windowed layers let it reach)", async () => {
    const V = model.config.vocabSize;
    const plain = rows((await model.forward(tokens, { logits: "all" })).logits, V);
    const steered = rows(
      (
        await model.forward(tokens, {
          logits: "all",
          steer: [{ site, vector: randomVector("steer"), scale: 4, positions: span }],
        })
      ).logits,
      V,
    );
    const last = reach(span.end);
    for (let t = 0; t < tokens.length; t++) {
      const diff = maxAbsDiff(plain[t], steered[t]);
      if (t < span.start || t > last) expect(diff, `position ${t}`).toBe(0);
      else expect(diff, `position ${t}`).toBeGreaterThan(1e-3);
    }
  });

  it("adds exactly scale * vector to the residual on the span at the steered site", async () => {
    const vector = randomVector("exact");
    const plain = (await model.forward(tokens, { capture: [site], logits: "none" })).captures.get(site)!;
    const steered = (
      await model.forward(tokens, {
        capture: [site],
        logits: "none",
        steer: [{ site, vector, scale: 0.5, positions: span }],
      })
    ).captures.get(site)!;
    for (let t = 0; t < tokens.length; t++)
      for (let i = 0; i < H; i++) {
        const expected =
          plain[t * H + i] + (t >= span.start && t < span.end ? Math.fround(0.5 * vector[i]) : 0);
        expect(steered[t * H + i]).toBeCloseTo(expected, 5);
      }
  });

  it("with a zero vector changes nothing", async () => {
    const plain = await model.forward(tokens, { logits: "all" });
    const zero = await model.forward(tokens, {
      logits: "all",
      steer: [{ site, vector: new Float32Array(H), scale: 3, positions: span }],
    });
    expect(zero.logits).toEqual(plain.logits);
  });

  it("uses absolute positions when continuing from a cache", async () => {
    const V = model.config.vocabSize;
    const vector = randomVector("cached-steer");
    const steer = [{ site, vector, scale: 4, positions: span }];
    const full = (await model.forward(tokens, { logits: "all", steer })).logits;
    const cache = model.createCache();
    await model.forward(tokens.slice(0, 10), { cache, steer, logits: "none" });
    const rest = (await model.forward(tokens.slice(10), { cache, steer, logits: "all" })).logits;
    expect(maxAbsDiff(rest, full.subarray(10 * V))).toBeLessThan(1e-4);
  });
});

describe.each([
  ["llama (builtin:random-tiny)", () => model],
  ["gemma2, window shorter than the prefix", () => gemma],
])("KV cache, %s", (_, modelOf) => {
  let model: Model;
  beforeAll(() => {
    model = modelOf();
  });
  it("prefix reuse gives the same logits as a full forward", async () => {
    const V = model.config.vocabSize;
    const full = (await model.forward(tokens, { logits: "all" })).logits;
    const prefix = model.createCache();
    await model.forward(tokens.slice(0, 12), { cache: prefix, logits: "none" });
    expect(prefix.length).toBe(12);
    const branch = prefix.clone();
    const suffix = (await model.forward(tokens.slice(12), { cache: branch, logits: "all" })).logits;
    expect(branch.length).toBe(tokens.length);
    expect(prefix.length).toBe(12);
    expect(maxAbsDiff(suffix, full.subarray(12 * V))).toBeLessThan(1e-4);
  });

  it("truncate rewinds to a shorter prefix that can be continued differently", async () => {
    const other = [7, 8, 9, 10];
    const expected = (await model.forward([...tokens.slice(0, 6), ...other])).logits;
    const cache = model.createCache();
    await model.forward(tokens, { cache, logits: "none" });
    cache.truncate(6);
    const continued = (await model.forward(other, { cache })).logits;
    expect(maxAbsDiff(continued, expected)).toBeLessThan(1e-4);
    expect(() => cache.truncate(11)).toThrow(RangeError);
  });

  it("serialises concurrent calls, so shared buffers never mix", async () => {
    const expected = await Promise.all([
      model.forward(tokens.slice(0, 5)),
      model.forward(tokens.slice(0, 15)),
    ]);
    const sequential = [await model.forward(tokens.slice(0, 5)), await model.forward(tokens.slice(0, 15))];
    expect(expected[0].logits).toEqual(sequential[0].logits);
    expect(expected[1].logits).toEqual(sequential[1].logits);
  });
});

describe("generate", () => {
  it("greedy decoding follows the argmax of a fresh forward at each step", async () => {
    const { tokens: produced } = await model.generate(tokens.slice(0, 5), { maxNewTokens: 6, stop: [] });
    expect(produced.length).toBeGreaterThan(0);
    const sequence = tokens.slice(0, 5);
    for (const next of produced) {
      const { logits } = await model.forward(sequence);
      expect(next).toBe(logits.indexOf(Math.max(...logits)));
      sequence.push(next);
    }
  });

  it("sampling is reproducible from its seed and varies across seeds", async () => {
    const prompt = tokens.slice(0, 4);
    const a = await model.generate(prompt, { maxNewTokens: 12, temperature: 1.5, seed: 1 });
    const b = await model.generate(prompt, { maxNewTokens: 12, temperature: 1.5, seed: 1 });
    const c = await model.generate(prompt, { maxNewTokens: 12, temperature: 1.5, seed: 2 });
    expect(a.tokens).toEqual(b.tokens);
    expect(c.tokens).not.toEqual(a.tokens);
    expect(a.text).toBe(model.tokenizer.decode(a.tokens, { skipSpecialTokens: true }));
  });

  it("accepts steering", async () => {
    const prompt = tokens.slice(0, 4);
    const plain = await model.generate(prompt, { maxNewTokens: 8 });
    const steered = await model.generate(prompt, {
      maxNewTokens: 8,
      steer: [
        {
          site: "blocks.2.hook_resid_post",
          vector: randomVector("gen"),
          scale: 20,
          positions: { start: 0, end: 1000 },
        },
      ],
    });
    expect(steered.tokens).not.toEqual(plain.tokens);
  });
});
