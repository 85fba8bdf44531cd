import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertToGguf } from "./gguf-export.js";
import { loadModel, type Model } from "./load.js";
import { type RandomCheckpointSpec, writeRandomCheckpoint } from "./random-checkpoint.js";
import {
  argmaxRow,
  llamaCppNextTokenLogProbs,
  logSoftmaxRows,
  maxLogProbDifference,
} from "./testing/llama-cpp-reference.js";
import { referenceLogProbs } from "./testing/reference-forward.js";

/**
 * The newer architectures, each a small random model written as an HF folder and as GGUF by our
 * writer, run by us (F32), by llama.cpp, and by an independent float64 forward
 * (testing/reference-forward.ts), at every position over the whole vocabulary. Windows are
 * shorter than the 24-token prompt, so sliding layers are exercised.
 */

interface Case {
  spec: RandomCheckpointSpec;
  /**
   * Bound on max |delta log-prob| against llama.cpp, and the leading positions it is judged on
   * (where llama.cpp has no window, only positions inside the window can agree).
   */
  llamaCpp: { bound: number; positions?: number; geluTable?: boolean };
  /** general.architecture llama.cpp gives the model, when it is another architecture's. */
  loadsAs?: string;
}

const base = {
  hiddenSize: 64,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 128,
  vocabSize: 320,
  maxPositions: 128,
  initStd: 0.15,
};
const WINDOW = 8;
const CASES: Record<string, Case> = {
  qwen3: {
    spec: {
      ...base,
      architecture: "qwen3",
      numKvHeads: 2,
      headDim: 32,
      tieWordEmbeddings: false,
      seed: "oracle-qwen3",
    },
    llamaCpp: { bound: 1e-3 },
  },
  "mistral-sliding-window": {
    spec: { ...base, architecture: "mistral", numKvHeads: 2, slidingWindow: WINDOW, seed: "oracle-mistral" },
    // llama.cpp's llama graph has no window: only the first WINDOW positions are the same model.
    llamaCpp: { bound: 1e-3, positions: WINDOW },
    loadsAs: "llama",
  },
  gemma2: {
    spec: {
      ...base,
      architecture: "gemma2",
      numKvHeads: 2,
      headDim: 32,
      slidingWindow: WINDOW,
      // Caps low enough to bend these random models' scores and logits.
      attnLogitSoftcapping: 8,
      finalLogitSoftcapping: 12,
      seed: "oracle-gemma2",
    },
    llamaCpp: { bound: 1e-2, geluTable: true },
  },
  gemma3: {
    spec: {
      ...base,
      architecture: "gemma3",
      numLayers: 6,
      numKvHeads: 2,
      headDim: 32,
      slidingWindow: WINDOW,
      ropeTheta: 50000,
      ropeLocalTheta: 100,
      ropeLinearFactor: 4,
      seed: "oracle-gemma3",
    },
    llamaCpp: { bound: 1e-2, geluTable: true },
  },
  "phi3-longrope-long-window": {
    spec: {
      ...base,
      architecture: "phi3",
      numKvHeads: 2,
      slidingWindow: WINDOW,
      longRope: { originalMaxPositions: 16, shortFactor: factors(8, 1.5), longFactor: factors(8, 6) },
      seed: "oracle-phi3-long",
    },
    // llama.cpp switches Phi-3's window off; the prompt (24) is past original_max (16), and so
    // is llama.cpp's context (padded to 256): both use the long factors.
    llamaCpp: { bound: 1e-3, positions: WINDOW },
  },
  "phi3-longrope-short": {
    spec: {
      ...base,
      architecture: "phi3",
      numKvHeads: 4,
      maxPositions: 512,
      longRope: { originalMaxPositions: 256, shortFactor: factors(8, 1.5), longFactor: factors(8, 6) },
      seed: "oracle-phi3-short",
    },
    // Prompt and llama.cpp's context (padded to 256) fit in original_max: both use the short factors.
    llamaCpp: { bound: 1e-3 },
  },
};

/** LongRoPE factors rising from 1 to `top` over the head's pairs, like the released ones. */
function factors(n: number, top: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 + ((top - 1) * i) / (n - 1));
}

const PROMPT = 24;
const tokens = (() => {
  const rng = createRng("architectures-oracle-tokens");
  return Array.from({ length: PROMPT }, () => rng.int(base.vocabSize));
})();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-architectures-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ourLogProbs(model: Model): Promise<Float64Array[]> {
  const { logits } = await model.forward(tokens, { logits: "all" });
  return logSoftmaxRows(logits, model.config.vocabSize);
}

const agreeing = (a: Float64Array[], b: Float64Array[]) =>
  a.filter((row, i) => argmaxRow(row) === argmaxRow(b[i])).length;

describe.each(Object.entries(CASES))("%s", (name, { spec, llamaCpp, loadsAs }) => {
  it("agrees with llama.cpp and with an independent float64 forward at every position", async () => {
    const folder = join(dir, name);
    const gguf = join(dir, `${name}.f32.gguf`);
    await writeRandomCheckpoint(folder, spec);
    await convertToGguf(folder, gguf, { type: "F32" });

    const model = await loadModel(folder, { backend: "js" });
    const ours = await ourLogProbs(model);
    await model.dispose();
    // The distributions must be far from uniform, or agreement would prove little.
    expect(Math.max(...ours.map((row) => Math.max(...row)))).toBeGreaterThan(-Math.log(spec.vocabSize) + 1);

    const reference = await referenceLogProbs(folder, tokens);
    const vsReference = maxLogProbDifference(reference, ours);
    expect(agreeing(reference, ours)).toBe(PROMPT);

    const cpp = await llamaCppNextTokenLogProbs(gguf, tokens, spec.vocabSize);
    const judged = llamaCpp.positions ?? PROMPT;
    const vsLlamaCpp = maxLogProbDifference(cpp.slice(0, judged), ours.slice(0, judged));
    expect(agreeing(cpp.slice(0, judged), ours)).toBe(judged);

    // Gemma: llama.cpp's GELU goes through an fp16 table (oracle doc), which alone keeps it from
    // 1e-3; the float64 forward computing GELU that way meets llama.cpp at the plain bound.
    if (llamaCpp.geluTable) {
      const tabled = await referenceLogProbs(folder, tokens, { gelu: "llama.cpp" });
      const tabledVsLlamaCpp = maxLogProbDifference(cpp, tabled);
      console.log(
        `${name}: float64 forward with llama.cpp's fp16 GELU vs llama.cpp ${tabledVsLlamaCpp.toExponential(2)}`,
      );
      expect(tabledVsLlamaCpp).toBeLessThanOrEqual(1e-3);
    }

    const fast = await loadModel(folder);
    const vsReferenceFast = maxLogProbDifference(reference, await ourLogProbs(fast));
    await fast.dispose();
    const fromGguf = await loadModel(gguf, { backend: "js" });
    const roundTrip = maxLogProbDifference(ours, await ourLogProbs(fromGguf));
    expect(fromGguf.config.architecture).toBe(loadsAs ?? spec.architecture);
    await fromGguf.dispose();

    console.log(
      `${name}: max |delta log-prob| vs float64 reference ${vsReference.toExponential(2)} (default kernels ${vsReferenceFast.toExponential(2)}), vs llama.cpp ${vsLlamaCpp.toExponential(2)} over ${judged}/${PROMPT} positions, own GGUF vs HF folder ${roundTrip.toExponential(2)}`,
    );
    expect(vsReference).toBeLessThanOrEqual(1e-4);
    expect(vsReferenceFast).toBeLessThanOrEqual(1e-4);
    expect(vsLlamaCpp).toBeLessThanOrEqual(llamaCpp.bound);
    expect(roundTrip).toBeLessThan(1e-5);
  });
});

describe("gemma2 query_pre_attn_scalar", () => {
  // llama.cpp scales by head_dim^-0.5 whatever the scalar says (oracle doc), so a scalar unlike
  // head_dim is checked against the float64 forward only, and through our own GGUF file.
  it("scales scores by query_pre_attn_scalar^-0.5, from the HF folder and from our GGUF", async () => {
    const spec = { ...CASES.gemma2.spec, queryPreAttnScalar: 128, seed: "gemma2-scalar" };
    const folder = join(dir, "gemma2-scalar");
    await writeRandomCheckpoint(folder, spec);
    await convertToGguf(folder, `${folder}.gguf`, { type: "F32" });
    const reference = await referenceLogProbs(folder, tokens);
    const model = await loadModel(folder, { backend: "js" });
    const fromGguf = await loadModel(`${folder}.gguf`, { backend: "js" });
    expect(model.config.attentionScale).toBeCloseTo(128 ** -0.5, 12);
    const ours = await ourLogProbs(model);
    expect(maxLogProbDifference(reference, ours)).toBeLessThanOrEqual(1e-4);
    expect(maxLogProbDifference(ours, await ourLogProbs(fromGguf))).toBeLessThan(1e-5);
    // The scalar matters: head_dim^-0.5 (llama.cpp's choice) gives another model.
    const headDimScaled = await referenceLogProbs(join(dir, "gemma2"), tokens);
    expect(maxLogProbDifference(headDimScaled, ours)).toBeGreaterThan(1e-2);
    await model.dispose();
    await fromGguf.dispose();
  });
});
