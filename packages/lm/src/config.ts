import { InputError } from "@pva/core";
import type { RopeSpec } from "./rope.js";

/** The architectures pva runs; each has one file in architectures/ (see architectures/registry.ts). */
export type Architecture = "llama" | "qwen2" | "gpt2" | "qwen3" | "mistral" | "gemma2" | "gemma3" | "phi3";

/** Whether a layer attends to every earlier position or only to the latest `slidingWindow`. */
export type LayerAttention = "full" | "sliding";

/**
 * Everything the forward pass needs to know about a model, whatever file it came from. The
 * forward pass branches on these traits, never on the architecture's name.
 */
export interface ModelConfig {
  architecture: Architecture;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  normEps: number;
  /**
   * RMSNorm, or LayerNorm with a bias (GPT-2). Gemma's RMSNorm scales by (1 + w): its loader
   * adds the 1 to the stored gains, as llama.cpp's converter does, so every RMSNorm here is x /
   * rms(x) * gain.
   */
  norm: "rms" | "layer";
  /**
   * Norms also after attention and after the MLP, on their outputs before each residual add
   * (Gemma 2 and 3). The residual hook sites stay where they are: resid_mid is after attention's
   * residual add (so after its post-norm), resid_post after the MLP's.
   */
  postNorms: boolean;
  /** An RMSNorm over each head of the queries and the keys, before rotary (Qwen3, Gemma 3). */
  qkNorm: boolean;
  /**
   * Gated MLPs down(act(gate(x)) * up(x)) with act = silu (SwiGLU) or tanh-approximate GELU
   * (GeGLU, Gemma); or a plain down(gelu(up(x))) (GPT-2).
   */
  mlp: "swiglu" | "geglu" | "gelu";
  /** Multiplies the token embeddings (Gemma: sqrt(hidden), rounded to float32 as its float32 checkpoints do). */
  embeddingScale: number;
  /** Multiplies q.k before the softmax: 1/sqrt(headDim), or Gemma's query_pre_attn_scalar^-0.5. */
  attentionScale: number;
  /** Attention scores become cap * tanh(score / cap) (Gemma 2); null for none. */
  attnSoftCap: number | null;
  /** Logits become cap * tanh(logit / cap) (Gemma 2); null for none. */
  finalSoftCap: number | null;
  /** Per layer: full attention, or a window of the `slidingWindow` latest positions (the token's own included). */
  layerAttention: LayerAttention[];
  slidingWindow: number | null;
  /** Rotary position embeddings of full-attention layers; null for learned absolute positions (GPT-2). */
  rope: RopeSpec | null;
  /** Rotary embeddings of sliding layers when they differ (Gemma 3's local base); null: `rope`. */
  slidingRope: RopeSpec | null;
  /** Biases on the Q, K, V projections. */
  qkvBias: boolean;
  /** A bias on the attention output projection. */
  attnOutputBias: boolean;
  /** Biases on the MLP projections. */
  mlpBias: boolean;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenId: number | null;
  /**
   * The checkpoint says its weights are random (`pva.random_weights` in config.json or GGUF
   * metadata, which writeRandomCheckpoint and our GGUF writer stamp): its outputs mean nothing.
   */
  randomWeights: boolean;
}

/** The traits of a plain pre-norm transformer, which each architecture overrides where it differs. */
export function plainTraits(numLayers: number, headDim: number) {
  return {
    postNorms: false,
    qkNorm: false,
    embeddingScale: 1,
    attentionScale: 1 / Math.sqrt(headDim),
    attnSoftCap: null,
    finalSoftCap: null,
    layerAttention: Array.from({ length: numLayers }, (): LayerAttention => "full"),
    slidingWindow: null,
    slidingRope: null,
  } satisfies Partial<ModelConfig>;
}

/** What a config source calls a field, for error messages (defaults to the ModelConfig name). */
export type ConfigFieldNames = Partial<Record<keyof ModelConfig, string>>;

/**
 * The one validation every config goes through, from config.json or from GGUF metadata alike:
 * anything that would make the forward pass index out of bounds is rejected with the file and
 * the field as the source spells it.
 */
export function checkedConfig(config: ModelConfig, file: string, names: ConfigFieldNames = {}): ModelConfig {
  const field = (key: keyof ModelConfig) => names[key] ?? key;
  const positive = [
    "hiddenSize",
    "numLayers",
    "numHeads",
    "numKvHeads",
    "headDim",
    "intermediateSize",
    "vocabSize",
    "maxPositions",
  ] as const;
  for (const key of positive)
    if (!Number.isInteger(config[key]) || config[key] <= 0)
      throw new InputError(file, field(key), `expected a positive integer, got ${config[key]}`);
  if (config.numHeads % config.numKvHeads !== 0)
    throw new InputError(
      file,
      field("numKvHeads"),
      `${config.numKvHeads} does not divide ${config.numHeads} heads`,
    );
  if (config.rope && config.headDim % 2 !== 0)
    throw new InputError(file, field("headDim"), "must be even for rotary embeddings");
  if (config.layerAttention.length !== config.numLayers)
    throw new InputError(
      file,
      field("layerAttention"),
      `lists ${config.layerAttention.length} layers, the model has ${config.numLayers}`,
    );
  if (
    config.layerAttention.includes("sliding") &&
    !(Number.isInteger(config.slidingWindow) && config.slidingWindow! > 0)
  )
    throw new InputError(
      file,
      field("slidingWindow"),
      `expected a positive integer for the sliding layers, got ${config.slidingWindow}`,
    );
  for (const key of ["attnSoftCap", "finalSoftCap"] as const)
    if (config[key] !== null && !(config[key]! > 0))
      throw new InputError(file, field(key), `expected a positive number, got ${config[key]}`);
  if (!(config.attentionScale > 0 && Number.isFinite(config.attentionScale)))
    throw new InputError(
      file,
      field("attentionScale"),
      `expected a positive number, got ${config.attentionScale}`,
    );
  const rotary = config.rope?.scaling;
  if (rotary?.type === "longrope")
    for (const factors of [rotary.shortFactors, rotary.longFactors])
      if (factors.length !== config.headDim / 2)
        throw new InputError(
          file,
          field("rope"),
          `LongRoPE needs ${config.headDim / 2} factors (head_dim / 2), got ${factors.length}`,
        );
  if (!(config.normEps >= 0))
    throw new InputError(file, field("normEps"), `expected >= 0, got ${config.normEps}`);
  return config;
}
