import type { ModelConfig } from "../config.js";
import type { GgufModelTensor } from "../gguf-file-type.js";
import { llama3FreqFactors } from "../rope.js";
import type { ArchitectureDefinition } from "./architecture.js";
import {
  decoderConfigFromGguf,
  decoderConfigFromHf,
  decoderConfigJson,
  decoderGgufMetadata,
  HF_DECODER_FIELD_NAMES,
  requireActivation,
} from "./decoder-config.js";
import {
  type DecoderLayout,
  decoderGgufTensors,
  decoderTensorList,
  ggufDecoderNames,
  hfDecoderNames,
  loadDecoder,
} from "./decoder-tensors.js";
import { ggufKeys } from "./gguf-metadata.js";

/**
 * Llama 2/3 and SmolLM2: RMSNorm, rotary attention with grouped KV heads, SwiGLU MLP; optional
 * biases (`attention_bias`, `mlp_bias`) and Llama-3 rope scaling, which GGUF stores as
 * `rope_freqs.weight` divisors. GGUF `llama` files are also what Mistral becomes (see
 * mistral.ts): a `llama.attention.sliding_window` key, which llama.cpp's llama graph ignores,
 * keeps Mistral's window for our own reader.
 */

export const LLAMA_HF: DecoderLayout = { names: hfDecoderNames() };
/** llama.cpp's `llama` graph rotates adjacent pairs, so converters permute Q/K rows per head. */
export const LLAMA_GGUF: DecoderLayout = { names: ggufDecoderNames(), pairedRotary: true };
const HF = LLAMA_HF;
const GGUF = LLAMA_GGUF;

export const llama: ArchitectureDefinition = {
  name: "llama",
  hfModelTypes: ["llama"],
  hfClassNames: ["llamaforcausallm"],
  ggufArchitecture: "llama",
  readsGguf: true,
  hfFieldNames: HF_DECODER_FIELD_NAMES,

  configFromHf(f) {
    requireActivation(f, "hidden_act", ["silu"]);
    const attentionBias = f.raw.attention_bias === true;
    return {
      ...decoderConfigFromHf(f, "llama"),
      qkvBias: attentionBias,
      attnOutputBias: attentionBias,
      mlpBias: f.raw.mlp_bias === true,
    };
  },

  async configFromGguf(f) {
    const window = f.optionalNumber("attention.sliding_window");
    const plain = decoderConfigFromGguf(f, "llama");
    const config: ModelConfig =
      window === null || window === 0
        ? plain
        : { ...plain, slidingWindow: window, layerAttention: plain.layerAttention.map(() => "sliding") };
    if (!f.hasTensor("rope_freqs.weight")) return config;
    const factors = new Float32Array(config.headDim / 2);
    await f.gguf.readInto("rope_freqs.weight", factors);
    return {
      ...config,
      rope: { theta: config.rope?.theta ?? 10000, scaling: { type: "freq-factors", factors: [...factors] } },
    };
  },

  loadHf: (reader, c) => loadDecoder(reader, c, HF),
  loadGguf: (reader, c) => loadDecoder(reader, c, GGUF),
  ggufMetadata: (c) => [
    ...decoderGgufMetadata("llama", c),
    ...(c.slidingWindow === null ? [] : [ggufKeys("llama").u32("attention.sliding_window", c.slidingWindow)]),
  ],
  ggufTensors: (w, c) => decoderGgufTensors(w, c, GGUF, ropeFreqsTensor(c)),

  randomConfigJson: (spec) =>
    decoderConfigJson(spec, { architectures: "LlamaForCausalLM", modelType: "llama" }),
  hfTensors: (c) => decoderTensorList(c, HF),
};

/** Llama-3 scaling as llama.cpp reads it: per-pair frequency divisors in `rope_freqs.weight`. */
function ropeFreqsTensor(c: ModelConfig): GgufModelTensor[] {
  if (c.rope?.scaling?.type !== "llama3") return [];
  return [
    {
      name: "rope_freqs.weight",
      shape: [c.headDim / 2],
      data: llama3FreqFactors(c.rope, c.headDim),
      type: "f32",
    },
  ];
}
