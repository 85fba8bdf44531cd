import type { RopeSpec } from "../rope.js";
import type { ArchitectureDefinition } from "./architecture.js";
import { decoderConfigJson, HF_DECODER_FIELD_NAMES, hfRope } from "./decoder-config.js";
import { decoderGgufTensors, decoderTensorList, loadDecoder } from "./decoder-tensors.js";
import {
  GEMMA_GGUF,
  GEMMA_HF,
  gemmaConfigFromGguf,
  gemmaConfigFromHf,
  gemmaConfigJson,
  gemmaGgufMetadata,
} from "./gemma2.js";
import { ggufKeys } from "./gguf-metadata.js";

/**
 * Gemma 3, text (`Gemma3ForCausalLM`, model_type gemma3_text): Gemma 2's block plus an RMSNorm
 * (1 + w) over each head of the queries and keys; local (sliding-window) and global layers as
 * config.json's layer_types say (five to one when only `sliding_window_pattern` 6 does), each
 * kind with its own rotary base (`rope_local_base_freq` 10000 for local, `rope_theta` 1e6 for
 * global) and the rope scaling (linear, factor 8 in the 4B+ models) on global layers only; no
 * attention soft-cap.
 */
export const gemma3: ArchitectureDefinition = {
  name: "gemma3",
  hfModelTypes: ["gemma3_text"],
  hfClassNames: ["gemma3forcausallm"],
  ggufArchitecture: "gemma3",
  readsGguf: true,
  hfFieldNames: HF_DECODER_FIELD_NAMES,

  configFromHf(f) {
    const period = f.number("sliding_window_pattern", 6);
    const config = gemmaConfigFromHf(
      f,
      "gemma3",
      (l) => (l + 1) % period !== 0,
      hfRope(f, ["linear"], "full_attention", 1_000_000),
    );
    const perKind = f.object("rope_parameters")?.sliding_attention !== undefined;
    const local: RopeSpec = perKind
      ? hfRope(f, [], "sliding_attention")
      : { theta: f.number("rope_local_base_freq", 10000), scaling: null };
    return {
      ...config,
      qkNorm: true,
      slidingRope: local,
    };
  },

  async configFromGguf(f) {
    const config = gemmaConfigFromGguf(f, "gemma3", 6, 62);
    const factor = f.optionalNumber("rope.scaling.factor");
    const scaled =
      factor !== null && factor !== 0 && factor !== 1 && f.string("rope.scaling.type") !== "none";
    return {
      ...config,
      qkNorm: true,
      rope: {
        theta: f.number("rope.freq_base", 1_000_000),
        scaling: scaled ? { type: "linear", factor } : null,
      },
      slidingRope: { theta: f.number("rope.freq_base_swa", 10000), scaling: null },
      attnSoftCap: null,
    };
  },

  loadHf: (reader, c) => loadDecoder(reader, c, GEMMA_HF),
  loadGguf: (reader, c) => loadDecoder(reader, c, GEMMA_GGUF),
  ggufMetadata(c) {
    const { f32 } = ggufKeys("gemma3");
    const out = gemmaGgufMetadata("gemma3", c, "gemma3 GGUF export");
    if (c.slidingRope) out.push(f32("rope.freq_base_swa", c.slidingRope.theta));
    const scaling = c.rope?.scaling;
    if (scaling?.type === "linear")
      out.push(
        { key: "gemma3.rope.scaling.type", type: "string", value: "linear" },
        f32("rope.scaling.factor", scaling.factor),
      );
    return out;
  },
  ggufTensors: (w, c) => decoderGgufTensors(w, c, GEMMA_GGUF),

  randomConfigJson: (spec) =>
    decoderConfigJson(
      spec,
      { architectures: "Gemma3ForCausalLM", modelType: "gemma3_text" },
      {
        ...gemmaConfigJson(spec),
        rope_theta: spec.ropeTheta ?? 1_000_000,
        rope_local_base_freq: spec.ropeLocalTheta ?? 10000,
        rope_scaling: spec.ropeLinearFactor ? { rope_type: "linear", factor: spec.ropeLinearFactor } : null,
        sliding_window_pattern: 6,
        final_logit_softcapping: spec.finalLogitSoftcapping ?? null,
        attn_logit_softcapping: null,
      },
    ),
  hfTensors: (c) => decoderTensorList(c, GEMMA_HF),
};
