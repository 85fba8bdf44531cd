import type { ArchitectureDefinition } from "./architecture.js";
import {
  decoderConfigFromGguf,
  decoderConfigFromHf,
  decoderConfigJson,
  decoderGgufMetadata,
  HF_DECODER_FIELD_NAMES,
  hfLayerAttention,
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
 * Qwen3 (dense): a Llama-style decoder with an RMSNorm over each head of the queries and keys
 * (`q_norm`, `k_norm`, before rotary), no QKV bias, and a head_dim of its own (128 in the
 * released models, whatever hidden / heads is). llama.cpp's `qwen3` rotates halves, as HF does.
 */

const HF: DecoderLayout = { names: hfDecoderNames() };
const GGUF: DecoderLayout = { names: ggufDecoderNames() };

export const qwen3: ArchitectureDefinition = {
  name: "qwen3",
  hfModelTypes: ["qwen3"],
  hfClassNames: ["qwen3forcausallm"],
  ggufArchitecture: "qwen3",
  readsGguf: true,
  hfFieldNames: HF_DECODER_FIELD_NAMES,

  configFromHf(f) {
    requireActivation(f, "hidden_act", ["silu"]);
    const config = decoderConfigFromHf(f, "qwen3");
    // Before layer_types, Qwen's window (when switched on) covered the layers from max_window_layers up.
    const window = f.raw.use_sliding_window === true ? f.optionalNumber("sliding_window") : null;
    const firstWindowed = f.number("max_window_layers", config.numLayers);
    const layerAttention = hfLayerAttention(f, config.numLayers, (l) =>
      window !== null && l >= firstWindowed ? "sliding" : "full",
    );
    return {
      ...config,
      qkNorm: true,
      qkvBias: f.raw.attention_bias === true,
      attnOutputBias: f.raw.attention_bias === true,
      layerAttention,
      slidingWindow: layerAttention.includes("sliding") ? f.optionalNumber("sliding_window") : null,
    };
  },
  configFromGguf: async (f) => ({ ...decoderConfigFromGguf(f, "qwen3"), qkNorm: true }),

  loadHf: (reader, c) => loadDecoder(reader, c, HF),
  loadGguf: (reader, c) => loadDecoder(reader, c, GGUF),
  ggufMetadata: (c) => decoderGgufMetadata("qwen3", c),
  ggufTensors: (w, c) => decoderGgufTensors(w, c, GGUF),

  randomConfigJson: (spec) =>
    decoderConfigJson(
      spec,
      { architectures: "Qwen3ForCausalLM", modelType: "qwen3" },
      { attention_bias: false, use_sliding_window: false, sliding_window: null },
    ),
  hfTensors: (c) => decoderTensorList(c, HF),
};
