import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byteLevelAlphabet } from "./byte-level.js";
import { buildByteLevelBpe } from "./byte-level-bpe.js";
import { readSafetensors } from "./formats/safetensors.js";
import { convertToGguf } from "./gguf-export.js";
import { preTokenizerFor } from "./gguf-tokenizer.js";
import type { HookSite } from "./hook-site.js";
import { loadModel, type Model } from "./load.js";
import { type RandomCheckpointSpec, writeRandomCheckpoint } from "./random-checkpoint.js";
import {
  argmaxRow,
  llamaCppLastTokenEmbedding,
  llamaCppNextTokenLogProbs,
  llamaCppTokenize,
  logSoftmaxRows,
  maxLogProbDifference,
} from "./testing/llama-cpp-reference.js";

/**
 * The proof of the forward pass: small random models written as an HF folder and as GGUF, run
 * both here and in llama.cpp, must give the same next-token distribution at every position.
 */

const base = {
  hiddenSize: 64,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 128,
  vocabSize: 320,
  maxPositions: 128,
  initStd: 0.15,
};
const MODELS: Record<string, RandomCheckpointSpec> = {
  "llama-gqa": {
    ...base,
    architecture: "llama",
    numKvHeads: 2,
    tieWordEmbeddings: false,
    seed: "oracle-llama",
  },
  "llama3-rope-scaling": {
    ...base,
    architecture: "llama",
    numKvHeads: 1,
    seed: "oracle-llama3",
    ropeTheta: 500000,
    ropeScaling: { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 },
  },
  "qwen2-qkv-bias": { ...base, architecture: "qwen2", numKvHeads: 2, seed: "oracle-qwen2" },
  gpt2: { ...base, architecture: "gpt2", intermediateSize: 256, seed: "oracle-gpt2" },
};

let dir: string;
const tokens = (() => {
  const rng = createRng("oracle-tokens");
  return Array.from({ length: 24 }, () => rng.int(base.vocabSize));
})();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-oracle-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ourLogProbs(model: Model): Promise<Float64Array[]> {
  const { logits } = await model.forward(tokens, { logits: "all" });
  return logSoftmaxRows(logits, model.config.vocabSize);
}

describe.each(Object.entries(MODELS))("%s against llama.cpp", (name, spec) => {
  const folder = () => join(dir, name);
  const gguf = (type: string) => join(dir, `${name}.${type}.gguf`);

  it("matches llama.cpp's next-token log-probs at every position (F32)", async () => {
    await writeRandomCheckpoint(folder(), spec);
    await convertToGguf(folder(), gguf("f32"), { type: "F32" });
    const model = await loadModel(folder(), { backend: "js" });
    const ours = await ourLogProbs(model);
    const reference = await llamaCppNextTokenLogProbs(gguf("f32"), tokens, spec.vocabSize);
    const diff = maxLogProbDifference(reference, ours);
    const agreeing = reference.filter((row, i) => argmaxRow(row) === argmaxRow(ours[i])).length;
    console.log(
      `${name}: max |delta log-prob| vs llama.cpp = ${diff.toExponential(2)}, argmax agrees at ${agreeing}/${tokens.length}`,
    );
    // GPT-2: llama.cpp's CPU GELU goes through an fp16 table, so only ~1e-2 is reachable (oracle doc).
    expect(diff).toBeLessThanOrEqual(spec.architecture === "gpt2" ? 1e-2 : 1e-3);
    expect(agreeing).toBe(tokens.length);
    // The distributions must be far from uniform, or agreement would prove little.
    expect(Math.max(...ours.map((row) => Math.max(...row)))).toBeGreaterThan(-Math.log(spec.vocabSize) + 1);
    await model.dispose();

    // The default (WebAssembly, multi-threaded) kernels must meet the same bound.
    const fast = await loadModel(folder());
    const fastDiff = maxLogProbDifference(reference, await ourLogProbs(fast));
    console.log(`${name}: default kernels: max |delta log-prob| vs llama.cpp = ${fastDiff.toExponential(2)}`);
    expect(fastDiff).toBeLessThanOrEqual(spec.architecture === "gpt2" ? 1e-2 : 1e-3);
    await fast.dispose();
  });

  it("loads its own GGUF (F32) to the same logits as the HF folder", async () => {
    const fromFolder = await loadModel(folder(), { backend: "js" });
    const fromGguf = await loadModel(gguf("f32"), { backend: "js" });
    const a = await ourLogProbs(fromFolder);
    const b = await ourLogProbs(fromGguf);
    expect(maxLogProbDifference(a, b)).toBeLessThan(1e-5);
    expect(fromGguf.tokenizer.encode("hello there")).toEqual(fromFolder.tokenizer.encode("hello there"));
    await fromFolder.dispose();
    await fromGguf.dispose();
  });

  // Rounding the weights moves every logit a little; judged on the tokens that carry probability
  // (p > 1e-4). Q8_0's per-weight error (~0.6% of a block's max) is ~10x F16's (2^-11), and these
  // random models have large logits, so its bound is loose; its decoding is checked exactly in gguf.test.ts.
  it.each([
    ["F16", 1e-2, 0],
    ["Q8_0", 3e-1, 4],
  ] as const)("loads a %s GGUF close to the F32 model", async (type, tolerance, argmaxFlips) => {
    await convertToGguf(folder(), gguf(type), { type });
    const exact = await ourLogProbs(await loadModel(folder(), { backend: "js" }));
    const quantized = await ourLogProbs(await loadModel(gguf(type), { backend: "js" }));
    const diff = maxLogProbDifference(exact, quantized, Math.log(1e-4));
    const agreeing = exact.filter((row, i) => argmaxRow(row) === argmaxRow(quantized[i])).length;
    console.log(
      `${name}: ${type} vs F32 max |delta log-prob| (p > 1e-4) = ${diff.toExponential(2)}, argmax ${agreeing}/${tokens.length}`,
    );
    expect(diff).toBeLessThan(tolerance);
    expect(diff).toBeGreaterThan(0);
    expect(agreeing).toBeGreaterThanOrEqual(tokens.length - argmaxFlips);
  });
});

describe("capture vs llama.cpp's embedding", () => {
  it("ln_final.hook_normalized at the last token equals llama.cpp's last-token embedding", async () => {
    const name = "embedding-llama";
    await writeRandomCheckpoint(join(dir, name), { ...MODELS["llama-gqa"], seed: "oracle-embedding" });
    await convertToGguf(join(dir, name), join(dir, `${name}.f32.gguf`), { type: "F32" });
    const model = await loadModel(join(dir, name), { backend: "js" });
    const { captures } = await model.forward(tokens, {
      capture: ["ln_final.hook_normalized"],
      logits: "none",
    });
    const h = model.config.hiddenSize;
    const ours = captures.get("ln_final.hook_normalized")!.subarray((tokens.length - 1) * h);
    const reference = await llamaCppLastTokenEmbedding(join(dir, `${name}.f32.gguf`), tokens);
    expect(reference.length).toBe(h);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < h; i++) {
      worst = Math.max(worst, Math.abs(reference[i] - ours[i]));
      scale = Math.max(scale, Math.abs(reference[i]));
    }
    console.log(`embedding: max |delta| = ${worst.toExponential(2)} (max |value| ${scale.toFixed(2)})`);
    // The embedding context uses llama.cpp's default F16 KV cache, so agreement is ~1e-3 relative, not exact.
    expect(worst / scale).toBeLessThan(1e-2);

    // llama.cpp's embedding is the last block's output after the final RMSNorm: normalising our
    // blocks.{last}.hook_resid_post with the checkpoint's model.norm.weight gives ln_final exactly.
    const last: HookSite = `blocks.${model.config.numLayers - 1}.hook_resid_post`;
    const resid = (await model.forward(tokens, { capture: [last], logits: "none" })).captures
      .get(last)!
      .subarray((tokens.length - 1) * h);
    const { tensors } = await readSafetensors(join(dir, name, "model.safetensors"));
    const gain = tensors.get("model.norm.weight")!.data;
    const rms = Math.sqrt(resid.reduce((sum, v) => sum + v * v, 0) / h + 1e-5);
    for (let i = 0; i < h; i++) expect(ours[i]).toBeCloseTo((resid[i] / rms) * gain[i], 4);
  });
});

/**
 * A vocabulary whose merges cross the boundaries the pre-tokenizers disagree on (digit runs, a
 * space before a digit, runs of spaces and newlines, contractions), so that splitting text the
 * wrong way changes the token ids.
 */
function boundaryVocabulary(size: number, ignoreMerges: boolean): { model: Record<string, unknown> } {
  const [space, newline] = [byteLevelAlphabet()[32], byteLevelAlphabet()[10]];
  const digits = [..."0123456789"];
  const extra: [string, string][] = [
    ...digits.flatMap((a) => digits.map((b): [string, string] => [a, b])),
    ...digits.flatMap((a) =>
      digits.flatMap((b) =>
        ["0", "1", "2", "3", "4", "5", "6", "7"].map((c): [string, string] => [a + b, c]),
      ),
    ),
    ...digits.map((d): [string, string] => [space, d]),
    [space, space],
    [space + space, space],
    [newline, newline],
    ["'", "s"],
    ["'", "M"],
    ["'", "ll"],
  ];
  const base = buildByteLevelBpe(size - extra.length);
  const tokens = [...base.tokens, ...extra.map(([a, b]) => a + b)];
  return {
    model: {
      type: "BPE",
      vocab: Object.fromEntries(tokens.map((t, id) => [t, id])),
      merges: [...extra.map(([a, b]) => `${a} ${b}`), ...base.merges],
      ignore_merges: ignoreMerges,
      byte_fallback: false,
    },
  };
}

describe("tokenizers rebuilt from GGUF vocabularies", () => {
  const texts = [
    "Hello world, it's 2024: 1234567 apples!",
    "  leading spaces\n\n\ttabs   and  gaps ",
    "I'M sure we'll see—naïve café ☕ 🙂",
    "x=3.14159; y = f(x) + 42",
  ];
  it.each(["gpt-2", "smollm", "llama-bpe", "qwen2"])(
    "tokenize like llama.cpp with the %s pre-tokenizer",
    async (pre) => {
      const folder = join(dir, `tokenizer-${pre}`);
      await writeRandomCheckpoint(folder, { ...MODELS["llama-gqa"], vocabSize: 2000, seed: "tokenizer" });
      const file = join(folder, "tokenizer.json");
      const json = JSON.parse(await readFile(file, "utf8"));
      await writeFile(
        file,
        JSON.stringify({
          ...json,
          ...boundaryVocabulary(2000, pre === "llama-bpe"),
          pre_tokenizer: preTokenizerFor(pre),
        }),
      );
      const gguf = join(dir, `tokenizer-${pre}.gguf`);
      await convertToGguf(folder, gguf, { type: "F32" });
      const fromFolder = await loadModel(folder, { backend: "js" });
      const fromGguf = await loadModel(gguf, { backend: "js" });
      for (const text of texts) {
        const reference = await llamaCppTokenize(gguf, text);
        expect(fromGguf.tokenizer.encode(text), text).toEqual(reference);
        expect(fromFolder.tokenizer.encode(text), text).toEqual(reference);
      }
    },
  );

  it("tokenize like llama.cpp with a SentencePiece (llama) vocabulary and byte fallback", async () => {
    const pieces = sentencePieces(1200);
    const folder = join(dir, "tokenizer-spm");
    await writeRandomCheckpoint(folder, {
      ...MODELS["llama-gqa"],
      vocabSize: pieces.length,
      seed: "tokenizer-spm",
    });
    const gguf = join(dir, "tokenizer-spm.gguf");
    const [UNKNOWN, CONTROL, BYTE, NORMAL] = [2, 3, 6, 1];
    await convertToGguf(folder, gguf, {
      type: "F32",
      tokenizerMetadata: [
        { key: "tokenizer.ggml.model", type: "string", value: "llama" },
        { key: "tokenizer.ggml.tokens", type: "array", itemType: "string", value: pieces },
        // SentencePiece scores: earlier pieces merge first.
        {
          key: "tokenizer.ggml.scores",
          type: "array",
          itemType: "f32",
          value: pieces.map((_, id) => (id < 259 ? 0 : -id)),
        },
        {
          key: "tokenizer.ggml.token_type",
          type: "array",
          itemType: "i32",
          value: pieces.map((_, id) => (id === 0 ? UNKNOWN : id < 3 ? CONTROL : id < 259 ? BYTE : NORMAL)),
        },
        { key: "tokenizer.ggml.bos_token_id", type: "u32", value: 1 },
        { key: "tokenizer.ggml.eos_token_id", type: "u32", value: 2 },
        { key: "tokenizer.ggml.unknown_token_id", type: "u32", value: 0 },
      ],
    });
    const model = await loadModel(gguf, { backend: "js" });
    for (const text of [...texts, "Hello", " Hello", "a  b   c", "end.\n\nNew paragraph: ünïcödé ✓"]) {
      const reference = await llamaCppTokenize(gguf, text);
      expect(model.tokenizer.encode(text, { addSpecialTokens: false }), text).toEqual(reference);
      expect(model.tokenizer.decode(reference), text).toBe(text);
    }
    // SentencePiece models start with BOS unless told otherwise.
    expect(model.tokenizer.encode("Hi")[0]).toBe(1);
    expect(model.tokenizer.bosId).toBe(1);
  });
});

/** <unk>, <s>, </s>, the 256 byte pieces, then pieces built from U+2581 and letters, most common first. */
function sentencePieces(size: number): string[] {
  const space = "\u2581";
  const lower = [..."etaoinshrdlcumwfgypbvkjxqz"];
  const singles = [space, ...lower, ..."ETAOINSHRDLCUMWFGYPBVKJXQZ0123456789.,:;!?'-=()+"];
  const pieces = [
    "<unk>",
    "<s>",
    "</s>",
    ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`),
    ...singles,
  ];
  let frontier = [space, ...lower].flatMap((a) => lower.map((b) => a + b));
  while (pieces.length < size) {
    const next: string[] = [];
    for (const piece of frontier) {
      if (pieces.length >= size) break;
      pieces.push(piece);
      for (const b of lower.slice(0, 6)) next.push(piece + b);
    }
    frontier = next;
  }
  return pieces;
}
