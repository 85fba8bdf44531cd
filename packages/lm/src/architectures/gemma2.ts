import type { ModelConfig } from "../config.js";
import type { GgufConfigFields, HfConfigFields } from "../config-fields.js";
import type { GgufMetadataEntry } from "../formats/gguf-writer.js";
import type { RandomCheckpointSpec } from "../random-checkpoint-spec.js";
import type { RopeSpec } from "../rope.js";
import type { ArchitectureDefinition } from "./architecture.js";
import {
  decoderConfigFromGguf,
  decoderConfigFromHf,
  decoderConfigJson,
  decoderGgufMetadata,
  HF_DECODER_FIELD_NAMES,
  hfLayerAttention,
  hfRope,
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
import { layersOfPeriod, periodOfLayers } from "./gguf-layer-pattern.js";
import { ggufKeys } from "./gguf-metadata.js";

/**
 * Gemma 2 (`Gemma2ForCausalLM`): RMSNorms that scale by (1 + w), before and after attention and
 * the MLP (the "after" norms act on each branch's output, before its residual add); GeGLU with
 * tanh-approximate GELU; embeddings times sqrt(hidden); scores scaled by
 * query_pre_attn_scalar^-0.5 and soft-capped, logits soft-capped; sliding-window attention on
 * every other layer (layer 0 first); a head_dim of its own. Gemma 3 (gemma3.ts) shares the
 * block and its weight names.
 */

/** Transformers' Gemma names: its post_attention_layernorm is the norm after attention, not before the MLP. */
export const GEMMA_HF: DecoderLayout = {
  names: {
    ...hfDecoderNames(),
    layer: (l) => {
      const p = `model.layers.${l}`;
      return {
        ...hfDecoderNames().layer(l),
        attnPostNorm: `${p}.post_attention_layernorm`,
        mlpNorm: `${p}.pre_feedforward_layernorm`,
        mlpPostNorm: `${p}.post_feedforward_layernorm`,
      };
    },
  },
  normOffset: 1,
};
export const GEMMA_GGUF: DecoderLayout = { names: ggufDecoderNames() };

/** The block traits Gemma 2 and 3 share, from config.json. */
export function gemmaConfigFromHf(
  f: HfConfigFields,
  architecture: "gemma2" | "gemma3",
  slidingOf: (layer: number) => boolean,
  rope: RopeSpec,
): ModelConfig {
  // transformers reads hidden_activation, and older configs have only hidden_act.
  requireActivation(f, f.raw.hidden_activation !== undefined ? "hidden_activation" : "hidden_act", [
    "gelu_pytorch_tanh",
    "gelu_new",
  ]);
  const config = decoderConfigFromHf(f, architecture, rope);
  const layerAttention = hfLayerAttention(f, config.numLayers, (l) => (slidingOf(l) ? "sliding" : "full"));
  return {
    ...config,
    norm: "rms",
    postNorms: true,
    mlp: "geglu",
    // transformers multiplies by sqrt(hidden) cast to the checkpoint's dtype (float32 here).
    embeddingScale: Math.fround(Math.sqrt(config.hiddenSize)),
    attentionScale: f.number("query_pre_attn_scalar", config.headDim) ** -0.5,
    attnSoftCap: f.optionalNumber("attn_logit_softcapping"),
    finalSoftCap: f.optionalNumber("final_logit_softcapping"),
    layerAttention,
    slidingWindow: layerAttention.includes("sliding") ? f.number("sliding_window", 4096) : null,
    tieWordEmbeddings: f.raw.tie_word_embeddings !== false,
  };
}

/**
 * The Gemma traits from GGUF metadata. llama.cpp has no key for query_pre_attn_scalar: it scales
 * by head_dim^-0.5, or by (hidden / heads)^-0.5 for the 27B models (the only released ones whose
 * scalar differs); our writer adds `{arch}.attention.scale` so its own files keep the exact one.
 */
export function gemmaConfigFromGguf(
  f: GgufConfigFields,
  architecture: "gemma2" | "gemma3",
  defaultPeriod: number,
  largest: number,
): ModelConfig {
  const config = decoderConfigFromGguf(f, architecture);
  const window = f.optionalNumber("attention.sliding_window");
  const period = f.number("attention.sliding_window_pattern", defaultPeriod);
  const layerAttention =
    window === null || window === 0 ? config.layerAttention : layersOfPeriod(period, config.numLayers);
  const byLayerCount =
    config.numLayers === largest ? (config.hiddenSize / config.numHeads) ** -0.5 : config.headDim ** -0.5;
  return {
    ...config,
    postNorms: true,
    mlp: "geglu",
    embeddingScale: Math.fround(Math.sqrt(config.hiddenSize)),
    attentionScale: f.optionalNumber("attention.scale") ?? byLayerCount,
    finalSoftCap: f.optionalNumber("final_logit_softcapping"),
    layerAttention,
    slidingWindow: layerAttention.includes("sliding") ? window : null,
  };
}

/** The Gemma keys llama.cpp reads beyond a plain decoder's, and our exact attention scale. */
export function gemmaGgufMetadata(
  arch: "gemma2" | "gemma3",
  c: ModelConfig,
  source: string,
): GgufMetadataEntry[] {
  const { u32, f32 } = ggufKeys(arch);
  const out = [...decoderGgufMetadata(arch, c), f32("attention.scale", c.attentionScale)];
  if (c.slidingWindow !== null)
    out.push(
      u32("attention.sliding_window", c.slidingWindow),
      u32("attention.sliding_window_pattern", periodOfLayers(c.layerAttention, source)),
    );
  if (c.attnSoftCap !== null) out.push(f32("attn_logit_softcapping", c.attnSoftCap));
  if (c.finalSoftCap !== null) out.push(f32("final_logit_softcapping", c.finalSoftCap));
  return out;
}

/** config.json fields a random Gemma checkpoint shares. */
export function gemmaConfigJson(spec: RandomCheckpointSpec): Record<string, unknown> {
  const headDim = spec.headDim ?? spec.hiddenSize / spec.numHeads;
  return {
    hidden_activation: "gelu_pytorch_tanh",
    hidden_act: "gelu_pytorch_tanh",
    query_pre_attn_scalar: spec.queryPreAttnScalar ?? headDim,
    sliding_window: spec.slidingWindow ?? 4096,
    ...(spec.layerTypes ? { layer_types: spec.layerTypes } : {}),
  };
}

export const gemma2: ArchitectureDefinition = {
  name: "gemma2",
  hfModelTypes: ["gemma2"],
  hfClassNames: ["gemma2forcausallm"],
  ggufArchitecture: "gemma2",
  readsGguf: true,
  hfFieldNames: HF_DECODER_FIELD_NAMES,

  configFromHf: (f) => gemmaConfigFromHf(f, "gemma2", (l) => l % 2 === 0, hfRope(f, [])),
  configFromGguf: async (f) => ({
    ...gemmaConfigFromGguf(f, "gemma2", 2, 46),
    // llama.cpp's gemma2 graph always soft-caps, with these defaults when the keys are absent.
    attnSoftCap: f.number("attn_logit_softcapping", 50),
    finalSoftCap: f.number("final_logit_softcapping", 30),
  }),

  loadHf: (reader, c) => loadDecoder(reader, c, GEMMA_HF),
  loadGguf: (reader, c) => loadDecoder(reader, c, GEMMA_GGUF),
  ggufMetadata: (c) => gemmaGgufMetadata("gemma2", c, "gemma2 GGUF export"),
  ggufTensors: (w, c) => decoderGgufTensors(w, c, GEMMA_GGUF),

  randomConfigJson: (spec) =>
    decoderConfigJson(
      spec,
      { architectures: "Gemma2ForCausalLM", modelType: "gemma2" },
      {
        ...gemmaConfigJson(spec),
        attn_logit_softcapping: spec.attnLogitSoftcapping === undefined ? 50 : spec.attnLogitSoftcapping,
        final_logit_softcapping: spec.finalLogitSoftcapping === undefined ? 30 : spec.finalLogitSoftcapping,
      },
    ),
  hfTensors: (c) => decoderTensorList(c, GEMMA_HF),
};
