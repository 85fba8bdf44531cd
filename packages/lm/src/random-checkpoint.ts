import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRng, type Rng } from "@pva/core";
import { architectureNamed } from "./architectures/registry.js";
import { buildByteLevelBpe, byteLevelTokenizerConfig, byteLevelTokenizerJson } from "./byte-level-bpe.js";
import type { Architecture } from "./config.js";
import { type SafetensorsDtype, type TensorToWrite, writeSafetensors } from "./formats/safetensors.js";
import { parseHfConfig } from "./hf-config.js";
import type { Llama3RopeScaling } from "./rope.js";

/** The shape of a random-weight model and how to draw it. */
export interface RandomCheckpointSpec {
  architecture: Architecture;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Defaults to numHeads (no GQA); ignored for gpt2. */
  numKvHeads?: number;
  /** Defaults to hiddenSize / numHeads; ignored for gpt2. */
  headDim?: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  seed: number | string;
  /** Standard deviation of the weights (default 0.02, transformers' init). */
  initStd?: number;
  ropeTheta?: number;
  ropeScaling?: Omit<Llama3RopeScaling, "type"> | null;
  tieWordEmbeddings?: boolean;
  /** Window of the sliding layers (Mistral, Gemma, Phi-3); null or absent: none (Gemma: 4096). */
  slidingWindow?: number | null;
  /** Which layers slide, as config.json's `layer_types`; default: the architecture's own pattern. */
  layerTypes?: ("full_attention" | "sliding_attention")[];
  /** Gemma: `query_pre_attn_scalar` (default head_dim). */
  queryPreAttnScalar?: number;
  /** Gemma 2: attention and final logit soft-caps (default 50 and 30, as released; null for none). */
  attnLogitSoftcapping?: number | null;
  finalLogitSoftcapping?: number | null;
  /** Gemma 3: the rope base of sliding layers (default 10000) and linear scaling of global ones. */
  ropeLocalTheta?: number;
  ropeLinearFactor?: number;
  /** Phi-3: LongRoPE factors (head_dim / 2 each) and the pretraining context. */
  longRope?: { shortFactor: number[]; longFactor: number[]; originalMaxPositions: number };
  /** Stored dtype (default F32). */
  dtype?: SafetensorsDtype;
}

/**
 * Writes a Hugging Face model folder (config.json, model.safetensors, tokenizer.json,
 * tokenizer_config.json) with weights drawn from `spec.seed`; each tensor draws from its own
 * `fork(name)`, so adding a tensor never changes the others. Tensors are drawn as they are
 * written, one at a time, so memory stays at one tensor whatever the model's size. The config
 * goes through the same parser as any checkpoint's, and the tensors are the ones its
 * architecture's loader reads.
 */
export async function writeRandomCheckpoint(
  dir: string,
  spec: RandomCheckpointSpec,
  /** Called as each tensor is drawn: bytes of model.safetensors' tensors drawn so far, of all. */
  onProgress?: (p: { file: string; loaded: number; total: number }) => void,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const architecture = architectureNamed(spec.architecture);
  // Marked as random (config-fields.ts), so whatever loads or converts it can say so.
  const configJson = { ...architecture.randomConfigJson(spec), pva: { random_weights: true } };
  const config = parseHfConfig(configJson, join(dir, "config.json"));
  const rng = createRng(spec.seed).fork("random-checkpoint");
  const std = spec.initStd ?? 0.02;
  const dtype = spec.dtype ?? "F32";
  const tensors = new Map<string, TensorToWrite>();
  const bytesPerElement = dtype === "F32" ? 4 : 2;
  const specs = architecture.hfTensors(config);
  const total = specs.reduce((sum, { shape }) => sum + elementCount(shape) * bytesPerElement, 0);
  let loaded = 0;
  const drawn = (values: Float32Array) => {
    loaded += values.length * bytesPerElement;
    onProgress?.({ file: "model.safetensors", loaded, total });
    return values;
  };
  for (const { name, shape, kind, center } of specs) {
    const data =
      kind === "gain"
        ? () => drawn(fillNormal(rng.fork(name), shape, 0.1).map((x) => x + (center ?? 1)))
        : () => drawn(fillNormal(rng.fork(name), shape, std));
    tensors.set(name, { shape, data, dtype });
  }
  const bpe = buildByteLevelBpe(spec.vocabSize);
  await writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
  await writeFile(join(dir, "config.json"), `${JSON.stringify(configJson, null, 2)}\n`);
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(byteLevelTokenizerJson(bpe)));
  await writeFile(
    join(dir, "tokenizer_config.json"),
    `${JSON.stringify(byteLevelTokenizerConfig(), null, 2)}\n`,
  );
}

function elementCount(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function fillNormal(rng: Rng, shape: number[], std: number): Float32Array {
  const n = elementCount(shape);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * rng.normal();
  return out;
}
