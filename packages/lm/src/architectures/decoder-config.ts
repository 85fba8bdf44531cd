import type { Architecture, ConfigFieldNames, ModelConfig } from "../config.js";
import type { GgufConfigFields, HfConfigFields } from "../config-fields.js";
import type { GgufMetadataEntry } from "../formats/gguf-writer.js";
import type { RandomCheckpointSpec } from "../random-checkpoint.js";
import type { Llama3RopeScaling } from "../rope.js";
import { ggufKeys, ggufShapeMetadata } from "./gguf-metadata.js";

/**
 * The config fields the Llama-style decoders share, as config.json and GGUF metadata spell them;
 * each architecture starts from these and sets its own traits.
 */

/** config.json's names for the validated fields. */
export const HF_DECODER_FIELD_NAMES: ConfigFieldNames = {
  hiddenSize: "hidden_size",
  numLayers: "num_hidden_layers",
  numHeads: "num_attention_heads",
  numKvHeads: "num_key_value_heads",
  headDim: "head_dim",
  intermediateSize: "intermediate_size",
  vocabSize: "vocab_size",
  maxPositions: "max_position_embeddings",
  normEps: "rms_norm_eps",
};

/** A Llama-shaped config from config.json (transformers 4.x and 5.x spellings). */
export function decoderConfigFromHf(f: HfConfigFields, architecture: Architecture): ModelConfig {
  const hiddenSize = f.number("hidden_size");
  const numHeads = f.number("num_attention_heads");
  const ropeParameters = f.object("rope_parameters");
  const theta =
    typeof ropeParameters?.rope_theta === "number"
      ? ropeParameters.rope_theta
      : f.number("rope_theta", 10000);
  return {
    architecture,
    hiddenSize,
    numLayers: f.number("num_hidden_layers"),
    numHeads,
    numKvHeads: f.number("num_key_value_heads", numHeads),
    headDim: f.number("head_dim", hiddenSize / numHeads),
    intermediateSize: f.number("intermediate_size"),
    vocabSize: f.number("vocab_size"),
    maxPositions: f.number("max_position_embeddings", 2048),
    normEps: f.number("rms_norm_eps", 1e-6),
    norm: "rms",
    mlp: "swiglu",
    rope: { theta, scaling: llama3RopeScaling(f.object("rope_scaling") ?? ropeParameters, f) },
    qkvBias: false,
    attnOutputBias: false,
    mlpBias: false,
    tieWordEmbeddings: f.raw.tie_word_embeddings === true,
    bosTokenId: f.firstId("bos_token_id"),
    eosTokenId: f.firstId("eos_token_id"),
  };
}

/** Rejects an MLP activation other than the one the architecture's forward pass computes. */
export function requireActivation(f: HfConfigFields, key: string, accepted: readonly string[]): void {
  const v = f.raw[key];
  if (v !== undefined && !accepted.includes(v as string))
    f.fail(
      key,
      `unsupported ${JSON.stringify(v)} (${accepted.join(", ")} ${accepted.length > 1 ? "are" : "is"})`,
    );
}

function llama3RopeScaling(raw: Record<string, unknown> | null, f: HfConfigFields): Llama3RopeScaling | null {
  if (!raw) return null;
  const type = raw.rope_type ?? raw.type;
  if (type === undefined || type === "default") return null;
  if (type !== "llama3") f.fail("rope_scaling.rope_type", `unsupported ${JSON.stringify(type)} (llama3 is)`);
  const n = (key: string, fallback: number) =>
    typeof raw[key] === "number" ? (raw[key] as number) : fallback;
  return {
    type: "llama3",
    factor: n("factor", 8),
    lowFreqFactor: n("low_freq_factor", 1),
    highFreqFactor: n("high_freq_factor", 4),
    originalMaxPositions: n("original_max_position_embeddings", 8192),
  };
}

/** A Llama-shaped config from GGUF metadata; tied embeddings are the absence of output.weight. */
export function decoderConfigFromGguf(f: GgufConfigFields, architecture: Architecture): ModelConfig {
  const [vocabSize] = f.shape("token_embd.weight");
  const hiddenSize = f.number("embedding_length");
  const numHeads = f.number("attention.head_count");
  return {
    architecture,
    hiddenSize,
    numLayers: f.number("block_count"),
    numHeads,
    numKvHeads: f.number("attention.head_count_kv", numHeads),
    headDim: f.number("attention.key_length", f.number("rope.dimension_count", hiddenSize / numHeads)),
    intermediateSize: f.number("feed_forward_length"),
    vocabSize,
    maxPositions: f.number("context_length"),
    normEps: f.number("attention.layer_norm_rms_epsilon", 1e-5),
    norm: "rms",
    mlp: "swiglu",
    rope: { theta: f.number("rope.freq_base", 10000), scaling: null },
    qkvBias: f.hasTensor("blk.0.attn_q.bias"),
    attnOutputBias: f.hasTensor("blk.0.attn_output.bias"),
    mlpBias: f.hasTensor("blk.0.ffn_down.bias"),
    tieWordEmbeddings: !f.hasTensor("output.weight"),
    bosTokenId: f.tokenId("bos_token_id"),
    eosTokenId: f.tokenId("eos_token_id"),
  };
}

/** The keys llama.cpp reads for a Llama-shaped decoder. */
export function decoderGgufMetadata(arch: string, c: ModelConfig): GgufMetadataEntry[] {
  const { u32, f32 } = ggufKeys(arch);
  return [
    ...ggufShapeMetadata(arch, c),
    u32("attention.head_count_kv", c.numKvHeads),
    f32("attention.layer_norm_rms_epsilon", c.normEps),
    f32("rope.freq_base", c.rope?.theta ?? 10000),
    u32("rope.dimension_count", c.headDim),
  ];
}

/** config.json of a random Llama-shaped checkpoint; `extra` adds an architecture's own fields. */
export function decoderConfigJson(
  spec: RandomCheckpointSpec,
  names: { architectures: string; modelType: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const scaling = spec.ropeScaling
    ? {
        rope_type: "llama3",
        factor: spec.ropeScaling.factor,
        low_freq_factor: spec.ropeScaling.lowFreqFactor,
        high_freq_factor: spec.ropeScaling.highFreqFactor,
        original_max_position_embeddings: spec.ropeScaling.originalMaxPositions,
      }
    : null;
  return {
    architectures: [names.architectures],
    model_type: names.modelType,
    hidden_size: spec.hiddenSize,
    num_hidden_layers: spec.numLayers,
    num_attention_heads: spec.numHeads,
    num_key_value_heads: spec.numKvHeads ?? spec.numHeads,
    head_dim: spec.headDim ?? spec.hiddenSize / spec.numHeads,
    intermediate_size: spec.intermediateSize,
    vocab_size: spec.vocabSize,
    max_position_embeddings: spec.maxPositions,
    rms_norm_eps: 1e-5,
    rope_theta: spec.ropeTheta ?? 10000,
    rope_scaling: scaling,
    tie_word_embeddings: spec.tieWordEmbeddings ?? true,
    hidden_act: "silu",
    bos_token_id: 0,
    eos_token_id: 2,
    ...extra,
    torch_dtype: torchDtype(spec),
  };
}

export function torchDtype(spec: RandomCheckpointSpec): string {
  const dtype = spec.dtype ?? "F32";
  return dtype === "F32" ? "float32" : dtype === "F16" ? "float16" : "bfloat16";
}
