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
    expect(c.architecture).toBe("llama");
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
