import type { ArchitectureDefinition } from "./architecture.js";
import {
  decoderConfigFromHf,
  decoderConfigJson,
  HF_DECODER_FIELD_NAMES,
  hfLayerAttention,
  requireActivation,
} from "./decoder-config.js";
import { decoderTensorList, loadDecoder } from "./decoder-tensors.js";
import { LLAMA_HF, llama } from "./llama.js";

/**
 * Mistral: Llama's block and weight names, with sliding-window attention on every layer when
 * config.json sets `sliding_window` (Mistral 7B v0.1: 4096; later versions: null). llama.cpp's
 * converter writes it as GGUF `llama` without a window, and llama.cpp's llama graph has none;
 * our writer adds `llama.attention.sliding_window`, so our own GGUF files keep it (they load as
 * `llama` with the window, which is the same model).
 */
export const mistral: ArchitectureDefinition = {
  name: "mistral",
  hfModelTypes: ["mistral"],
  hfClassNames: ["mistralforcausallm"],
  ggufArchitecture: "llama",
  readsGguf: false,
  hfFieldNames: HF_DECODER_FIELD_NAMES,

  configFromHf(f) {
    requireActivation(f, "hidden_act", ["silu"]);
    const config = decoderConfigFromHf(f, "mistral");
    const window = f.optionalNumber("sliding_window");
    const layerAttention = hfLayerAttention(f, config.numLayers, () =>
      window === null ? "full" : "sliding",
    );
    return { ...config, layerAttention, slidingWindow: layerAttention.includes("sliding") ? window : null };
  },
  configFromGguf: llama.configFromGguf,

  loadHf: (reader, c) => loadDecoder(reader, c, LLAMA_HF),
  loadGguf: llama.loadGguf,
  ggufMetadata: llama.ggufMetadata,
  ggufTensors: llama.ggufTensors,

  randomConfigJson: (spec) =>
    decoderConfigJson(
      spec,
      { architectures: "MistralForCausalLM", modelType: "mistral" },
      { sliding_window: spec.slidingWindow ?? null },
    ),
  hfTensors: (c) => decoderTensorList(c, LLAMA_HF),
};
