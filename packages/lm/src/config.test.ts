import { InputError } from "@pva/core";
import { describe, expect, it } from "vitest";
import { parseHfConfig } from "./hf-config.js";
import { llama3FreqFactors, ropeInverseFrequencies } from "./rope.js";

const llama = {
  model_type: "llama",
  hidden_size: 576,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  intermediate_size: 1536,
  vocab_size: 49152,
  max_position_embeddings: 8192,
  rms_norm_eps: 1e-5,
  rope_theta: 100000,
  tie_word_embeddings: true,
  torch_dtype: "bfloat16",
};

describe("parseHfConfig", () => {
  it("reads a SmolLM2-style llama config", () => {
    const c = parseHfConfig(llama, "config.json");
    expect(c).toMatchObject({
      architecture: "llama",
      hiddenSize: 576,
      numKvHeads: 3,
      headDim: 64,
      rope: { theta: 100000, scaling: null },
      tieWordEmbeddings: true,
      qkvBias: false,
    });
  });

  it("accepts transformers 5.x spellings (dtype, rope_parameters) and mistral", () => {
    const { rope_theta: _, torch_dtype: __, ...rest } = llama;
    const c = parseHfConfig(
      {
        ...rest,
        model_type: "mistral",
        dtype: "float32",
        rope_parameters: { rope_type: "default", rope_theta: 5e5 },
      },
      "config.json",
    );
    expect(c.architecture).toBe("mistral");
    expect(c.rope).toEqual({ theta: 5e5, scaling: null });
  });

  it("reads qwen2 with its always-on QKV bias and untied default", () => {
    const c = parseHfConfig({ ...llama, model_type: "qwen2", tie_word_embeddings: undefined }, "config.json");
    expect(c).toMatchObject({ architecture: "qwen2", qkvBias: true, tieWordEmbeddings: false });
  });

  it("reads gpt2, whose 4.x configs omit tie_word_embeddings because true is the default", () => {
    const c = parseHfConfig(
      { model_type: "gpt2", n_embd: 768, n_layer: 12, n_head: 12, vocab_size: 50257, n_positions: 1024 },
      "config.json",
    );
    expect(c).toMatchObject({
      architecture: "gpt2",
      intermediateSize: 3072,
      headDim: 64,
      tieWordEmbeddings: true,
      norm: "layer",
      rope: null,
    });
  });

  it("names the file and field of what is wrong", () => {
    expect(() => parseHfConfig({ model_type: "mamba" }, "m/config.json")).toThrow(
      /m\/config.json: model_type: unsupported architecture "mamba"/,
    );
    expect(() => parseHfConfig({ ...llama, hidden_size: "big" }, "c.json")).toThrow(InputError);
    expect(() => parseHfConfig({ ...llama, num_key_value_heads: 4 }, "c.json")).toThrow(
      /c.json: num_key_value_heads: 4 does not divide 9 heads/,
    );
    expect(() => parseHfConfig({ ...llama, hidden_act: "gelu" }, "c.json")).toThrow(
      /c.json: hidden_act: unsupported "gelu" \(silu is\)/,
    );
    expect(() => parseHfConfig({ ...llama, rope_scaling: { rope_type: "yarn" } }, "c.json")).toThrow(
      /rope_scaling.rope_type: unsupported "yarn"/,
    );
  });
});

/**
 * config.json as the released checkpoints spell it (fields and values of the models named,
 * written out here by hand; values that do not matter to pva, like initializer_range, left out).
 */
describe("the newer architectures' config.json", () => {
  it("Gemma 2 (gemma-2-2b): the Gemma traits, every other layer sliding from layer 0, soft-caps", () => {
    const c = parseHfConfig(
      {
        architectures: ["Gemma2ForCausalLM"],
        model_type: "gemma2",
        attn_logit_softcapping: 50.0,
        final_logit_softcapping: 30.0,
        head_dim: 256,
        hidden_act: "gelu_pytorch_tanh",
        hidden_activation: "gelu_pytorch_tanh",
        hidden_size: 2304,
        intermediate_size: 9216,
        max_position_embeddings: 8192,
        num_attention_heads: 8,
        num_hidden_layers: 26,
        num_key_value_heads: 4,
        query_pre_attn_scalar: 256,
        rms_norm_eps: 1e-6,
        rope_theta: 10000.0,
        sliding_window: 4096,
        bos_token_id: 2,
        eos_token_id: 1,
        torch_dtype: "float32",
        vocab_size: 256000,
      },
      "gemma2/config.json",
    );
    expect(c).toMatchObject({
      architecture: "gemma2",
      headDim: 256,
      mlp: "geglu",
      postNorms: true,
      qkNorm: false,
      embeddingScale: Math.fround(Math.sqrt(2304)),
      attentionScale: 1 / 16,
      attnSoftCap: 50,
      finalSoftCap: 30,
      slidingWindow: 4096,
      tieWordEmbeddings: true,
      rope: { theta: 10000, scaling: null },
    });
    expect(c.layerAttention.slice(0, 4)).toEqual(["sliding", "full", "sliding", "full"]);
  });

  it("Gemma 3 (gemma-3-1b-it): q/k norms, five local layers to one global, a rope base per kind", () => {
    const gemma3 = {
      architectures: ["Gemma3ForCausalLM"],
      model_type: "gemma3_text",
      attn_logit_softcapping: null,
      final_logit_softcapping: null,
      head_dim: 256,
      hidden_activation: "gelu_pytorch_tanh",
      hidden_size: 1152,
      intermediate_size: 6912,
      max_position_embeddings: 32768,
      num_attention_heads: 4,
      num_hidden_layers: 26,
      num_key_value_heads: 1,
      query_pre_attn_scalar: 256,
      rms_norm_eps: 1e-6,
      rope_local_base_freq: 10000,
      rope_scaling: null,
      rope_theta: 1000000,
      sliding_window: 512,
      sliding_window_pattern: 6,
      eos_token_id: [1, 106],
      vocab_size: 262144,
    };
    const c = parseHfConfig(gemma3, "gemma3/config.json");
    expect(c).toMatchObject({
      architecture: "gemma3",
      qkNorm: true,
      postNorms: true,
      attnSoftCap: null,
      finalSoftCap: null,
      slidingWindow: 512,
      rope: { theta: 1e6, scaling: null },
      slidingRope: { theta: 10000, scaling: null },
      eosTokenId: 1,
    });
    expect(c.layerAttention.slice(0, 12).join(" ")).toBe(
      "sliding sliding sliding sliding sliding full sliding sliding sliding sliding sliding full",
    );
    // The 4B+ models scale global layers' positions by 8; transformers 5.x nests rope per layer kind.
    const scaled = parseHfConfig({ ...gemma3, rope_scaling: { rope_type: "linear", factor: 8.0 } }, "c.json");
    expect(scaled.rope).toEqual({ theta: 1e6, scaling: { type: "linear", factor: 8 } });
    expect(scaled.slidingRope).toEqual({ theta: 10000, scaling: null });
    const { rope_theta: _, rope_local_base_freq: __, rope_scaling: ___, ...rest } = gemma3;
    const v5 = parseHfConfig(
      {
        ...rest,
        rope_parameters: {
          full_attention: { rope_type: "linear", factor: 8.0, rope_theta: 1e6 },
          sliding_attention: { rope_type: "default", rope_theta: 10000 },
        },
        layer_types: Array.from({ length: 26 }, (_, l) => (l === 3 ? "full_attention" : "sliding_attention")),
      },
      "c.json",
    );
    expect(v5.rope).toEqual(scaled.rope);
    expect(v5.slidingRope).toEqual(scaled.slidingRope);
    expect(v5.layerAttention.indexOf("full")).toBe(3);
    expect(v5.layerAttention.filter((k) => k === "full")).toHaveLength(1);
  });

  it("Qwen3 (Qwen3-0.6B): q/k norms and a head_dim of 128 with 16 heads of a 1024 hidden size", () => {
    const c = parseHfConfig(
      {
        architectures: ["Qwen3ForCausalLM"],
        model_type: "qwen3",
        attention_bias: false,
        head_dim: 128,
        hidden_act: "silu",
        hidden_size: 1024,
        intermediate_size: 3072,
        max_position_embeddings: 40960,
        max_window_layers: 28,
        num_attention_heads: 16,
        num_hidden_layers: 28,
        num_key_value_heads: 8,
        rms_norm_eps: 1e-6,
        rope_scaling: null,
        rope_theta: 1000000,
        sliding_window: null,
        tie_word_embeddings: true,
        use_sliding_window: false,
        vocab_size: 151936,
      },
      "qwen3/config.json",
    );
    expect(c).toMatchObject({
      architecture: "qwen3",
      headDim: 128,
      qkNorm: true,
      qkvBias: false,
      slidingWindow: null,
    });
    expect(c.layerAttention.every((k) => k === "full")).toBe(true);
  });

  it("Mistral 7B v0.1: a sliding window on every layer; later versions (window null) none", () => {
    const mistral = {
      architectures: ["MistralForCausalLM"],
      model_type: "mistral",
      hidden_act: "silu",
      hidden_size: 4096,
      intermediate_size: 14336,
      max_position_embeddings: 32768,
      num_attention_heads: 32,
      num_hidden_layers: 32,
      num_key_value_heads: 8,
      rms_norm_eps: 1e-5,
      rope_theta: 10000.0,
      sliding_window: 4096,
      tie_word_embeddings: false,
      vocab_size: 32000,
    };
    const c = parseHfConfig(mistral, "mistral/config.json");
    expect(c).toMatchObject({ architecture: "mistral", slidingWindow: 4096, headDim: 128 });
    expect(c.layerAttention.every((k) => k === "sliding")).toBe(true);
    const v3 = parseHfConfig({ ...mistral, sliding_window: null, rope_theta: 1e6 }, "c.json");
    expect(v3.slidingWindow).toBeNull();
    expect(v3.layerAttention.every((k) => k === "full")).toBe(true);
  });

  it("Phi-3 mini 128k: LongRoPE with the attention factor transformers derives from the two contexts", () => {
    const long = Array.from({ length: 48 }, (_, i) => 1 + i);
    const short = Array.from({ length: 48 }, (_, i) => 1 + i / 100);
    const c = parseHfConfig(
      {
        architectures: ["Phi3ForCausalLM"],
        model_type: "phi3",
        hidden_act: "silu",
        hidden_size: 3072,
        intermediate_size: 8192,
        max_position_embeddings: 131072,
        original_max_position_embeddings: 4096,
        num_attention_heads: 32,
        num_hidden_layers: 32,
        num_key_value_heads: 32,
        rms_norm_eps: 1e-5,
        rope_scaling: { type: "longrope", long_factor: long, short_factor: short },
        rope_theta: 10000.0,
        sliding_window: 262144,
        tie_word_embeddings: false,
        vocab_size: 32064,
      },
      "phi3/config.json",
    );
    // sqrt(1 + ln(131072 / 4096) / ln(4096)) = sqrt(1 + 5 ln 2 / (12 ln 2)) = sqrt(17 / 12)
    expect(c.rope).toEqual({
      theta: 10000,
      scaling: {
        type: "longrope",
        shortFactors: short,
        longFactors: long,
        originalMaxPositions: 4096,
        attentionFactor: Math.sqrt(17 / 12),
      },
    });
    expect(c).toMatchObject({ architecture: "phi3", headDim: 96, slidingWindow: 262144 });
  });

  it("names the file and field of what the newer architectures cannot run", () => {
    expect(() =>
      parseHfConfig({ ...llama, model_type: "gemma2", hidden_activation: "gelu", head_dim: 64 }, "g.json"),
    ).toThrow(/g.json: hidden_activation: unsupported "gelu" \(gelu_pytorch_tanh, gelu_new are\)/);
    expect(() =>
      parseHfConfig({ ...llama, model_type: "phi3", partial_rotary_factor: 0.75 }, "p.json"),
    ).toThrow(/p.json: partial_rotary_factor: unsupported 0.75/);
    expect(() =>
      parseHfConfig({ ...llama, model_type: "qwen3", rope_scaling: { rope_type: "yarn" } }, "q.json"),
    ).toThrow(/q.json: rope_scaling.rope_type: unsupported "yarn" \(llama3 is\)/);
    expect(() =>
      parseHfConfig({ ...llama, model_type: "mistral", layer_types: ["sliding_attention"] }, "m.json"),
    ).toThrow(/m.json: layer_types: lists 1 layers, the model has 30/);
  });
});

describe("Llama-3 rope scaling", () => {
  it("matches transformers' _compute_llama3_parameters", () => {
    // Reference: transformers.modeling_rope_utils._compute_llama3_parameters with head_dim 16,
    // rope_theta 500000, factor 8, low 1, high 4, original_max_position_embeddings 64:
    // wavelengths 2*pi/inv_freq; < 16 kept, > 64 divided by 8, in between smoothed.
    const c = parseHfConfig(
      {
        ...llama,
        hidden_size: 64,
        num_attention_heads: 4,
        num_key_value_heads: 4,
        rope_theta: 500000,
        rope_scaling: {
          rope_type: "llama3",
          factor: 8,
          low_freq_factor: 1,
          high_freq_factor: 4,
          original_max_position_embeddings: 64,
        },
      },
      "c.json",
    );
    const rope = c.rope!;
    const inv = ropeInverseFrequencies(rope, c.headDim);
    const plain = Array.from({ length: 8 }, (_, i) => 1 / 500000 ** ((2 * i) / 16));
    expect(inv[0]).toBe(plain[0]); // wavelength 6.28 < 16: unchanged
    expect(inv[7]).toBeCloseTo(plain[7] / 8, 15); // wavelength ~ 2.4e5 > 64: divided by factor
    const wavelen = (2 * Math.PI) / plain[1]; // ~ 32.8: smoothed
    const smooth = (64 / wavelen - 1) / (4 - 1);
    expect(inv[1]).toBeCloseTo((1 - smooth) * (plain[1] / 8) + smooth * plain[1], 15);
    const factors = llama3FreqFactors(rope, c.headDim);
    expect(factors[0]).toBeCloseTo(1, 6);
    expect(factors[7]).toBeCloseTo(8, 5);
  });
});
