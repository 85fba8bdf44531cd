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

/**
 * Llama 2/3 and SmolLM2 (and Mistral, which llama.cpp's converter writes as `llama`): RMSNorm,
 * rotary attention with grouped KV heads, SwiGLU MLP; optional biases (`attention_bias`,
 * `mlp_bias`) and Llama-3 rope scaling, which GGUF stores as `rope_freqs.weight` divisors.
 */

const HF: DecoderLayout = { names: hfDecoderNames() };
/** llama.cpp's `llama` graph rotates adjacent pairs, so converters permute Q/K rows per head. */
const GGUF: DecoderLayout = { names: ggufDecoderNames(), pairedRotary: true };

export const llama: ArchitectureDefinition = {
  name: "llama",
  hfModelTypes: ["llama", "mistral"],
  hfClassNames: ["llamaforcausallm", "mistralforcausallm"],
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
    const config = decoderConfigFromGguf(f, "llama");
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
  ggufMetadata: (c) => decoderGgufMetadata("llama", c),
  ggufTensors: (w, c) => decoderGgufTensors(w, c, GGUF, ropeFreqsTensor(c)),

  randomConfigJson: (spec) =>
    decoderConfigJson(spec, { architectures: "LlamaForCausalLM", modelType: "llama" }),
  hfTensors: (c) => decoderTensorList(c, HF.names),
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
