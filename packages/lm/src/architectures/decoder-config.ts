import {
  type Architecture,
  type ConfigFieldNames,
  type LayerAttention,
  type ModelConfig,
  plainTraits,
} from "../config.js";
import type { GgufConfigFields, HfConfigFields } from "../config-fields.js";
import type { GgufMetadataEntry } from "../formats/gguf-writer.js";
import type { RandomCheckpointSpec } from "../random-checkpoint-spec.js";
import type { RopeScaling, RopeSpec } from "../rope.js";
import { ggufKeys, ggufShapeMetadata } from "./gguf-metadata.js";

/**
 * The config fields the Llama-style decoders share, as config.json and GGUF metadata spell them;
 * each architecture starts from these and sets its own traits.
 */

/** config.json's names for the validated fields. */
export const HF_DECODER_FIELD_NAMES: ConfigFieldNames = {
  layerAttention: "layer_types",
  slidingWindow: "sliding_window",
  attnSoftCap: "attn_logit_softcapping",
  finalSoftCap: "final_logit_softcapping",
  attentionScale: "query_pre_attn_scalar",
  rope: "rope_scaling",
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

/**
 * A Llama-shaped config from config.json (transformers 4.x and 5.x spellings); `rope` defaults
 * to rope_theta with Llama-3 scaling allowed.
 */
export function decoderConfigFromHf(
  f: HfConfigFields,
  architecture: Architecture,
  rope: RopeSpec = hfRope(f, ["llama3"]),
): ModelConfig {
  const hiddenSize = f.number("hidden_size");
  const numHeads = f.number("num_attention_heads");
  const numLayers = f.number("num_hidden_layers");
  const headDim = f.number("head_dim", hiddenSize / numHeads);
  const maxPositions = f.number("max_position_embeddings", 2048);
  return {
    architecture,
    hiddenSize,
    numLayers,
    numHeads,
    numKvHeads: f.number("num_key_value_heads", numHeads),
    headDim,
    intermediateSize: f.number("intermediate_size"),
    vocabSize: f.number("vocab_size"),
    maxPositions,
    normEps: f.number("rms_norm_eps", 1e-6),
    norm: "rms",
    mlp: "swiglu",
    ...plainTraits(numLayers, headDim),
    rope,
    qkvBias: false,
    attnOutputBias: false,
    mlpBias: false,
    tieWordEmbeddings: f.raw.tie_word_embeddings === true,
    bosTokenId: f.firstId("bos_token_id"),
    eosTokenId: f.firstId("eos_token_id"),
    randomWeights: f.randomWeights,
  };
}

/**
 * Which layers attend through a sliding window: config.json's `layer_types` where it has them
 * (transformers 4.53+), else what the architecture derives from its older fields.
 */
export function hfLayerAttention(
  f: HfConfigFields,
  numLayers: number,
  derived: (layer: number) => LayerAttention,
): LayerAttention[] {
  const listed = f.raw.layer_types;
  if (listed === undefined || listed === null) return Array.from({ length: numLayers }, (_, l) => derived(l));
  if (!Array.isArray(listed)) f.fail("layer_types", "expected a list");
  return listed.map((kind, l) => {
    if (kind === "full_attention") return "full";
    if (kind === "sliding_attention") return "sliding";
    return f.fail(
      `layer_types[${l}]`,
      `unsupported ${JSON.stringify(kind)} (full_attention, sliding_attention are)`,
    );
  });
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

type Json = Record<string, unknown>;

/**
 * The rotary embedding config.json describes: transformers 4.x writes `rope_theta` and
 * `rope_scaling`, 5.x one `rope_parameters`, which for models whose layer kinds differ (Gemma 3)
 * holds one entry per kind (`full_attention`, `sliding_attention`); `kind` picks that entry.
 * `accepted` lists the scalings the architecture's forward pass implements.
 */
export function hfRope(
  f: HfConfigFields,
  accepted: readonly RopeScaling["type"][],
  kind: "full_attention" | "sliding_attention" = "full_attention",
  fallbackTheta = 10000,
): RopeSpec {
  const parameters = f.object("rope_parameters");
  const perKind =
    parameters && typeof parameters[kind] === "object" && parameters[kind] !== null
      ? (parameters[kind] as Json)
      : null;
  const where = perKind ? `rope_parameters.${kind}` : parameters ? "rope_parameters" : "rope_scaling";
  const raw = perKind ?? f.object("rope_scaling") ?? parameters;
  const theta =
    typeof (perKind ?? parameters)?.rope_theta === "number"
      ? ((perKind ?? parameters)?.rope_theta as number)
      : f.number("rope_theta", fallbackTheta);
  return { theta, scaling: hfRopeScaling(f, raw, where, accepted) };
}

function hfRopeScaling(
  f: HfConfigFields,
  raw: Json | null,
  where: string,
  accepted: readonly RopeScaling["type"][],
): RopeScaling | null {
  if (!raw) return null;
  const type = raw.rope_type ?? raw.type;
  if (type === undefined || type === "default") return null;
  // Phi-3's first checkpoints call LongRoPE "su".
  const name = type === "su" ? "longrope" : type;
  if (!accepted.includes(name as RopeScaling["type"]))
    f.fail(
      `${where}.rope_type`,
      `unsupported ${JSON.stringify(type)} (${accepted.length ? accepted.join(", ") : "none"} ${accepted.length > 1 ? "are" : "is"})`,
    );
  const n = (key: string, fallback?: number): number => {
    const v = raw[key];
    if (typeof v === "number") return v;
    if (fallback === undefined) f.fail(`${where}.${key}`, "missing");
    return fallback;
  };
  if (name === "linear") return { type: "linear", factor: n("factor") };
  if (name === "longrope") {
    const factors = (key: string): number[] => {
      const v = raw[key];
      if (!Array.isArray(v) || !v.every((x) => typeof x === "number"))
        f.fail(`${where}.${key}`, "expected a list of numbers");
      return v as number[];
    };
    // Phi-3 keeps original_max_position_embeddings beside the rope settings (4.x) or inside them (5.x).
    const original =
      typeof raw.original_max_position_embeddings === "number"
        ? raw.original_max_position_embeddings
        : f.number("original_max_position_embeddings");
    const scale = f.number("max_position_embeddings") / original;
    const attentionFactor =
      typeof raw.attention_factor === "number"
        ? raw.attention_factor
        : scale <= 1
          ? 1
          : Math.sqrt(1 + Math.log(scale) / Math.log(original));
    return {
      type: "longrope",
      shortFactors: factors("short_factor"),
      longFactors: factors("long_factor"),
      originalMaxPositions: original,
      attentionFactor,
    };
  }
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
  const numLayers = f.number("block_count");
  const headDim = f.number("attention.key_length", f.number("rope.dimension_count", hiddenSize / numHeads));
  return {
    architecture,
    hiddenSize,
    numLayers,
    numHeads,
    numKvHeads: f.number("attention.head_count_kv", numHeads),
    headDim,
    intermediateSize: f.number("feed_forward_length"),
    vocabSize,
    maxPositions: f.number("context_length"),
    normEps: f.number("attention.layer_norm_rms_epsilon", 1e-5),
    norm: "rms",
    mlp: "swiglu",
    ...plainTraits(numLayers, headDim),
    rope: { theta: f.number("rope.freq_base", 10000), scaling: null },
    qkvBias: f.hasTensor("blk.0.attn_q.bias"),
    attnOutputBias: f.hasTensor("blk.0.attn_output.bias"),
    mlpBias: f.hasTensor("blk.0.ffn_down.bias"),
    tieWordEmbeddings: !f.hasTensor("output.weight"),
    bosTokenId: f.tokenId("bos_token_id"),
    eosTokenId: f.tokenId("eos_token_id"),
    randomWeights: f.randomWeights,
  };
}

/** The keys llama.cpp reads for a Llama-shaped decoder. */
export function decoderGgufMetadata(arch: string, c: ModelConfig): GgufMetadataEntry[] {
  const { u32, f32 } = ggufKeys(arch);
  return [
    ...ggufShapeMetadata(arch, c),
    u32("attention.head_count_kv", c.numKvHeads),
    u32("attention.key_length", c.headDim),
    u32("attention.value_length", c.headDim),
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
