import type { ModelConfig } from "../config.js";
import type { GgufModelTensor } from "../gguf-file-type.js";
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
import { ggufKeys } from "./gguf-metadata.js";

/**
 * Phi-3 (`Phi3ForCausalLM`, also Phi-3.5-mini): a Llama-style block whose Q, K, V projections
 * are one fused `qkv_proj` and whose gate and up projections are one fused `gate_up_proj` (gate
 * rows first), split by rows on load; LongRoPE when config.json's rope_scaling says so (the 128k
 * models); sliding-window attention on every layer when `sliding_window` is set, as transformers
 * does (llama.cpp's phi3 graph switches its window off, see the README).
 */

const HF: DecoderLayout = {
  names: {
    ...hfDecoderNames(),
    layer: (l) => {
      const p = `model.layers.${l}`;
      return {
        ...hfDecoderNames().layer(l),
        qkv: { fused: `${p}.self_attn.qkv_proj` },
        gateUp: { fused: `${p}.mlp.gate_up_proj` },
      };
    },
  },
};
/** llama.cpp keeps both fusions: `attn_qkv`, and `ffn_up` holding [gate; up]. */
const GGUF: DecoderLayout = {
  names: {
    ...ggufDecoderNames(),
    layer: (l) => ({
      ...ggufDecoderNames().layer(l),
      qkv: { fused: `blk.${l}.attn_qkv` },
      gateUp: { fused: `blk.${l}.ffn_up` },
    }),
  },
};

export const phi3: ArchitectureDefinition = {
  name: "phi3",
  hfModelTypes: ["phi3"],
  hfClassNames: ["phi3forcausallm"],
  ggufArchitecture: "phi3",
  readsGguf: true,
  hfFieldNames: HF_DECODER_FIELD_NAMES,

  configFromHf(f) {
    requireActivation(f, "hidden_act", ["silu"]);
    const partial = f.number("partial_rotary_factor", 1);
    if (partial !== 1)
      f.fail("partial_rotary_factor", `unsupported ${partial} (rotary over whole heads, 1, is)`);
    const config = decoderConfigFromHf(f, "phi3", hfRope(f, ["longrope"]));
    const window = f.optionalNumber("sliding_window");
    const layerAttention = hfLayerAttention(f, config.numLayers, () =>
      window === null ? "full" : "sliding",
    );
    return { ...config, layerAttention, slidingWindow: layerAttention.includes("sliding") ? window : null };
  },

  async configFromGguf(f) {
    const config = decoderConfigFromGguf(f, "phi3");
    const window = f.optionalNumber("attention.sliding_window");
    const sliding = window !== null && window > 0;
    let rope = config.rope;
    if (f.hasTensor("rope_factors_long.weight") && f.hasTensor("rope_factors_short.weight")) {
      const read = async (name: string) => {
        const factors = new Float32Array(config.headDim / 2);
        await f.gguf.readInto(name, factors);
        return [...factors];
      };
      rope = {
        theta: config.rope?.theta ?? 10000,
        scaling: {
          type: "longrope",
          shortFactors: await read("rope_factors_short.weight"),
          longFactors: await read("rope_factors_long.weight"),
          originalMaxPositions: f.number("rope.scaling.original_context_length"),
          attentionFactor: f.number("rope.scaling.attn_factor", 1),
        },
      };
    }
    return {
      ...config,
      rope,
      layerAttention: sliding ? config.layerAttention.map(() => "sliding") : config.layerAttention,
      slidingWindow: sliding ? window : null,
    };
  },

  loadHf: (reader, c) => loadDecoder(reader, c, HF),
  loadGguf: (reader, c) => loadDecoder(reader, c, GGUF),
  ggufMetadata(c) {
    const { u32, f32 } = ggufKeys("phi3");
    // As llama.cpp's converter: 0 marks "no window" (Phi-4 is written as phi3 too).
    const out = [...decoderGgufMetadata("phi3", c), u32("attention.sliding_window", c.slidingWindow ?? 0)];
    const scaling = c.rope?.scaling;
    if (scaling?.type === "longrope")
      out.push(
        u32("rope.scaling.original_context_length", scaling.originalMaxPositions),
        f32("rope.scaling.attn_factor", scaling.attentionFactor),
      );
    return out;
  },
  ggufTensors: (w, c) => decoderGgufTensors(w, c, GGUF, longRopeTensors(c)),

  randomConfigJson(spec) {
    const long = spec.longRope;
    return decoderConfigJson(
      spec,
      { architectures: "Phi3ForCausalLM", modelType: "phi3" },
      {
        tie_word_embeddings: spec.tieWordEmbeddings ?? false,
        sliding_window: spec.slidingWindow ?? null,
        original_max_position_embeddings: long?.originalMaxPositions ?? spec.maxPositions,
        rope_scaling: long
          ? { type: "longrope", short_factor: long.shortFactor, long_factor: long.longFactor }
          : null,
      },
    );
  },
  hfTensors: (c) => decoderTensorList(c, HF),
};

/** LongRoPE's two factor sets, as llama.cpp reads them (it picks by context size, see the README). */
function longRopeTensors(c: ModelConfig): GgufModelTensor[] {
  const scaling = c.rope?.scaling;
  if (scaling?.type !== "longrope") return [];
  const tensor = (name: string, factors: number[]): GgufModelTensor => ({
    name,
    shape: [factors.length],
    data: Float32Array.from(factors),
    type: "f32",
  });
  return [
    tensor("rope_factors_long.weight", scaling.longFactors),
    tensor("rope_factors_short.weight", scaling.shortFactors),
  ];
}
