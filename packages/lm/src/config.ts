import { InputError } from "@pva/core";
import { GPT2_FIXED_CONFIG } from "./architectures/gpt2.js";

export type Architecture = "llama" | "qwen2" | "gpt2";

/** Llama-3 style frequency-dependent RoPE scaling (the only rope scaling we implement). */
export interface Llama3RopeScaling {
  type: "llama3";
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

/** Per-pair divisors of the rotary frequencies, as GGUF stores Llama-3 scaling (`rope_freqs.weight`). */
export interface RopeFreqFactors {
  type: "freq-factors";
  factors: number[];
}

/** Everything the forward pass needs to know about a model's shape, whatever file it came from. */
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
  /** RMSNorm (llama, qwen2) or LayerNorm with bias (gpt2). */
  norm: "rms" | "layer";
  /** SwiGLU MLP with silu (llama, qwen2) or a GELU (tanh approximation) MLP (gpt2). */
  mlp: "swiglu" | "gelu";
  /** Rotary (llama, qwen2) or learned absolute position embeddings (gpt2). */
  positions: "rope" | "learned";
  ropeTheta: number;
  ropeScaling: Llama3RopeScaling | RopeFreqFactors | null;
  /** Biases on the Q, K, V projections (qwen2, gpt2, llama with attention_bias). */
  qkvBias: boolean;
  /** Biases on the attention output and MLP projections (gpt2). */
  outputBias: boolean;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenId: number | null;
}

type Json = Record<string, unknown>;

/** Reads an HF config.json object, accepting the spellings of transformers 4.x and 5.x. */
export function parseHfConfig(raw: unknown, file: string): ModelConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new InputError(file, "(root)", "expected a JSON object");
  const c = raw as Json;
  const num = (key: string, fallback?: number): number => {
    const v = c[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new InputError(file, key, v === undefined ? "missing" : "expected a number");
    return v;
  };
  const firstId = (key: string): number | null => {
    const v = c[key];
    if (typeof v === "number") return v;
    if (Array.isArray(v) && typeof v[0] === "number") return v[0];
    return null;
  };
  const modelType = typeof c.model_type === "string" ? c.model_type : "";
  const architectures = Array.isArray(c.architectures) ? c.architectures.map(String) : [];
  const architecture = architectureOf(modelType, architectures);
  if (!architecture)
    throw new InputError(
      file,
      "model_type",
      `unsupported architecture ${JSON.stringify(modelType || architectures[0] || null)} (supported: llama, mistral, qwen2, gpt2)`,
    );
  if (architecture === "gpt2") {
    const hiddenSize = num("n_embd");
    const numHeads = num("n_head");
    const activation = c.activation_function ?? "gelu_new";
    if (activation !== "gelu_new" && activation !== "gelu_pytorch_tanh" && activation !== "gelu")
      throw new InputError(
        file,
        "activation_function",
        `unsupported ${JSON.stringify(activation)} (gelu_new is)`,
      );
    return checked(
      {
        architecture,
        hiddenSize,
        numLayers: num("n_layer"),
        numHeads,
        numKvHeads: numHeads,
        headDim: hiddenSize / numHeads,
        intermediateSize: num("n_inner", 4 * hiddenSize),
        vocabSize: num("vocab_size"),
        maxPositions: num("n_positions", num("n_ctx", 1024)),
        normEps: num("layer_norm_epsilon", 1e-5),
        ...GPT2_FIXED_CONFIG,
        // transformers 4.x omits it for GPT-2 because tying is the default there.
        tieWordEmbeddings: c.tie_word_embeddings !== false,
        bosTokenId: firstId("bos_token_id"),
        eosTokenId: firstId("eos_token_id"),
      },
      file,
    );
  }
  const hiddenSize = num("hidden_size");
  const numHeads = num("num_attention_heads");
  if (c.hidden_act !== undefined && c.hidden_act !== "silu")
    throw new InputError(file, "hidden_act", `unsupported ${JSON.stringify(c.hidden_act)} (silu is)`);
  const ropeParameters = (
    typeof c.rope_parameters === "object" && c.rope_parameters !== null ? c.rope_parameters : null
  ) as Json | null;
  const ropeTheta =
    typeof ropeParameters?.rope_theta === "number" ? ropeParameters.rope_theta : num("rope_theta", 10000);
  const scalingRaw = (c.rope_scaling ?? ropeParameters) as Json | null | undefined;
  return checked(
    {
      architecture,
      hiddenSize,
      numLayers: num("num_hidden_layers"),
      numHeads,
      numKvHeads: num("num_key_value_heads", numHeads),
      headDim: num("head_dim", hiddenSize / numHeads),
      intermediateSize: num("intermediate_size"),
      vocabSize: num("vocab_size"),
      maxPositions: num("max_position_embeddings", 2048),
      normEps: num("rms_norm_eps", 1e-6),
      norm: "rms",
      mlp: "swiglu",
      positions: "rope",
      ropeTheta,
      ropeScaling: parseRopeScaling(scalingRaw, file),
      qkvBias: architecture === "qwen2" || c.attention_bias === true,
      outputBias: false,
      tieWordEmbeddings: c.tie_word_embeddings === true,
      bosTokenId: firstId("bos_token_id"),
      eosTokenId: firstId("eos_token_id"),
    },
    file,
  );
}

function architectureOf(modelType: string, architectures: string[]): Architecture | null {
  const names = [modelType.toLowerCase(), ...architectures.map((a) => a.toLowerCase())];
  if (names.some((n) => n === "qwen2" || n.startsWith("qwen2for"))) return "qwen2";
  if (names.some((n) => n === "gpt2" || n.startsWith("gpt2lmhead"))) return "gpt2";
  if (
    names.some(
      (n) => n === "llama" || n === "mistral" || n.startsWith("llamafor") || n.startsWith("mistralfor"),
    )
  )
    return "llama";
  return null;
}

function parseRopeScaling(raw: Json | null | undefined, file: string): Llama3RopeScaling | null {
  if (!raw) return null;
  const type = raw.rope_type ?? raw.type;
  if (type === undefined || type === "default") return null;
  if (type !== "llama3")
    throw new InputError(file, "rope_scaling.rope_type", `unsupported ${JSON.stringify(type)} (llama3 is)`);
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

function checked(config: ModelConfig, file: string): ModelConfig {
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
      throw new InputError(file, key, `expected a positive integer, got ${config[key]}`);
  if (config.numHeads % config.numKvHeads !== 0)
    throw new InputError(
      file,
      "num_key_value_heads",
      `${config.numKvHeads} does not divide ${config.numHeads} heads`,
    );
  if (config.positions === "rope" && config.headDim % 2 !== 0)
    throw new InputError(file, "head_dim", "must be even for rotary embeddings");
  return config;
}

/** Inverse rotary frequencies per pair, with Llama-3 scaling applied as transformers does. */
export function ropeInverseFrequencies(config: ModelConfig): Float64Array {
  const half = config.headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / config.ropeTheta ** ((2 * i) / config.headDim);
  const s = config.ropeScaling;
  if (!s) return inv;
  if (s.type === "freq-factors") {
    for (let i = 0; i < half; i++) inv[i] /= s.factors[i];
    return inv;
  }
  const lowFreqWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxPositions / s.highFreqFactor;
  for (let i = 0; i < half; i++) {
    const wavelen = (2 * Math.PI) / inv[i];
    if (wavelen < highFreqWavelen) continue;
    if (wavelen > lowFreqWavelen) inv[i] /= s.factor;
    else {
      const smooth =
        (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      inv[i] = ((1 - smooth) * inv[i]) / s.factor + smooth * inv[i];
    }
  }
  return inv;
}

/** The divisors that turn plain rotary frequencies into Llama-3 scaled ones (for GGUF's rope_freqs). */
export function llama3FreqFactors(config: ModelConfig): Float32Array {
  const plain = ropeInverseFrequencies({ ...config, ropeScaling: null });
  const scaled = ropeInverseFrequencies(config);
  return Float32Array.from(plain, (f, i) => f / scaled[i]);
}
