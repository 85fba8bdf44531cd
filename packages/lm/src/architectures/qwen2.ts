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
 * Qwen2 (and Qwen2.5): a Llama-style decoder with biases on Q, K and V. llama.cpp's `qwen2`
 * graph rotates the two halves of each head as HF does, so Q/K are stored unpermuted.
 */

const HF: DecoderLayout = { names: hfDecoderNames() };
const GGUF: DecoderLayout = { names: ggufDecoderNames() };

export const qwen2: ArchitectureDefinition = {
  name: "qwen2",
  hfModelTypes: ["qwen2"],
  hfClassNames: ["qwen2forcausallm"],
  ggufArchitecture: "qwen2",
  readsGguf: true,
  hfFieldNames: HF_DECODER_FIELD_NAMES,

  configFromHf(f) {
    requireActivation(f, "hidden_act", ["silu"]);
    return { ...decoderConfigFromHf(f, "qwen2"), qkvBias: true };
  },
  configFromGguf: async (f) => decoderConfigFromGguf(f, "qwen2"),

  loadHf: (reader, c) => loadDecoder(reader, c, HF),
  loadGguf: (reader, c) => loadDecoder(reader, c, GGUF),
  ggufMetadata: (c) => decoderGgufMetadata("qwen2", c),
  ggufTensors: (w, c) => decoderGgufTensors(w, c, GGUF),

  randomConfigJson: (spec) =>
    decoderConfigJson(spec, { architectures: "Qwen2ForCausalLM", modelType: "qwen2" }),
  hfTensors: (c) => decoderTensorList(c, HF),
};
