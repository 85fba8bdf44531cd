import { InputError } from "@pva/core";
import type { RopeSpec } from "./rope.js";

/** The architectures pva runs; each has one file in architectures/ (see architectures/registry.ts). */
export type Architecture = "llama" | "qwen2" | "gpt2";

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
  /** RMSNorm, or LayerNorm with a bias (GPT-2). */
  norm: "rms" | "layer";
  /** SwiGLU (down(silu(gate(x)) * up(x))), or a plain MLP with tanh-approximate GELU (GPT-2). */
  mlp: "swiglu" | "gelu";
  /** Rotary position embeddings; null for learned absolute positions (GPT-2). */
  rope: RopeSpec | null;
  /** Biases on the Q, K, V projections. */
  qkvBias: boolean;
  /** A bias on the attention output projection. */
  attnOutputBias: boolean;
  /** Biases on the MLP projections. */
  mlpBias: boolean;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenId: number | null;
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
  if (!(config.normEps >= 0))
    throw new InputError(file, field("normEps"), `expected >= 0, got ${config.normEps}`);
  return config;
}
