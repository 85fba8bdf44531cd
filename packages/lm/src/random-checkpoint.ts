import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRng, type Rng } from "@pva/core";
import { buildByteLevelBpe, byteLevelTokenizerConfig, byteLevelTokenizerJson } from "./byte-level-bpe.js";
import type { Architecture, Llama3RopeScaling } from "./config.js";
import { type SafetensorsDtype, type TensorToWrite, writeSafetensors } from "./formats/safetensors.js";

/** The shape of a random-weight model and how to draw it. */
export interface RandomCheckpointSpec {
  architecture: Architecture;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Defaults to numHeads (no GQA); ignored for gpt2. */
  numKvHeads?: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  seed: number | string;
  /** Standard deviation of the weights (default 0.02, transformers' init). */
  initStd?: number;
  ropeTheta?: number;
  ropeScaling?: Omit<Llama3RopeScaling, "type"> | null;
  tieWordEmbeddings?: boolean;
  /** Stored dtype (default F32). */
  dtype?: SafetensorsDtype;
}

/**
 * Writes a Hugging Face model folder (config.json, model.safetensors, tokenizer.json,
 * tokenizer_config.json) with weights drawn from `spec.seed`; each tensor draws from its own
 * `fork(name)`, so adding a tensor never changes the others. Tensors are drawn as they are
 * written, one at a time, so memory stays at one tensor whatever the model's size.
 */
export async function writeRandomCheckpoint(dir: string, spec: RandomCheckpointSpec): Promise<void> {
  await mkdir(dir, { recursive: true });
  const rng = createRng(spec.seed).fork("random-checkpoint");
  const std = spec.initStd ?? 0.02;
  const dtype = spec.dtype ?? "F32";
  const tensors = new Map<string, TensorToWrite>();
  const normal = (name: string, shape: number[], scale = std) => {
    tensors.set(name, { shape, data: () => fillNormal(rng.fork(name), shape, scale), dtype });
  };
  // Norm gains near 1 (not exactly 1, so a wrong norm weight shows up in the tests).
  const gain = (name: string, n: number) => {
    const data = () => fillNormal(rng.fork(name), [n], 0.1).map((x) => x + 1);
    tensors.set(name, { shape: [n], data, dtype });
  };
  const { hiddenSize: h, intermediateSize: ff, vocabSize: v, numLayers } = spec;
  const bpe = buildByteLevelBpe(v);

  let config: Record<string, unknown>;
  if (spec.architecture === "gpt2") {
    const tied = spec.tieWordEmbeddings ?? true;
    normal("transformer.wte.weight", [v, h]);
    normal("transformer.wpe.weight", [spec.maxPositions, h]);
    for (let l = 0; l < numLayers; l++) {
      const p = `transformer.h.${l}`;
      gain(`${p}.ln_1.weight`, h);
      normal(`${p}.ln_1.bias`, [h]);
      normal(`${p}.attn.c_attn.weight`, [h, 3 * h]);
      normal(`${p}.attn.c_attn.bias`, [3 * h]);
      normal(`${p}.attn.c_proj.weight`, [h, h]);
      normal(`${p}.attn.c_proj.bias`, [h]);
      gain(`${p}.ln_2.weight`, h);
      normal(`${p}.ln_2.bias`, [h]);
      normal(`${p}.mlp.c_fc.weight`, [h, ff]);
      normal(`${p}.mlp.c_fc.bias`, [ff]);
      normal(`${p}.mlp.c_proj.weight`, [ff, h]);
      normal(`${p}.mlp.c_proj.bias`, [h]);
    }
    gain("transformer.ln_f.weight", h);
    normal("transformer.ln_f.bias", [h]);
    if (!tied) normal("lm_head.weight", [v, h]);
    config = {
      architectures: ["GPT2LMHeadModel"],
      model_type: "gpt2",
      n_embd: h,
      n_layer: numLayers,
      n_head: spec.numHeads,
      n_inner: ff,
      n_positions: spec.maxPositions,
      n_ctx: spec.maxPositions,
      vocab_size: v,
      layer_norm_epsilon: 1e-5,
      activation_function: "gelu_new",
      tie_word_embeddings: tied,
      bos_token_id: 0,
      eos_token_id: 2,
      torch_dtype: dtype === "F32" ? "float32" : dtype === "F16" ? "float16" : "bfloat16",
    };
  } else {
    const kvHeads = spec.numKvHeads ?? spec.numHeads;
    const headDim = h / spec.numHeads;
    const tied = spec.tieWordEmbeddings ?? true;
    const qkvBias = spec.architecture === "qwen2";
    normal("model.embed_tokens.weight", [v, h]);
    for (let l = 0; l < numLayers; l++) {
      const p = `model.layers.${l}`;
      gain(`${p}.input_layernorm.weight`, h);
      normal(`${p}.self_attn.q_proj.weight`, [spec.numHeads * headDim, h]);
      normal(`${p}.self_attn.k_proj.weight`, [kvHeads * headDim, h]);
      normal(`${p}.self_attn.v_proj.weight`, [kvHeads * headDim, h]);
      if (qkvBias) {
        normal(`${p}.self_attn.q_proj.bias`, [spec.numHeads * headDim]);
        normal(`${p}.self_attn.k_proj.bias`, [kvHeads * headDim]);
        normal(`${p}.self_attn.v_proj.bias`, [kvHeads * headDim]);
      }
      normal(`${p}.self_attn.o_proj.weight`, [h, spec.numHeads * headDim]);
      gain(`${p}.post_attention_layernorm.weight`, h);
      normal(`${p}.mlp.gate_proj.weight`, [ff, h]);
      normal(`${p}.mlp.up_proj.weight`, [ff, h]);
      normal(`${p}.mlp.down_proj.weight`, [h, ff]);
    }
    gain("model.norm.weight", h);
    if (!tied) normal("lm_head.weight", [v, h]);
    const scaling = spec.ropeScaling
      ? {
          rope_type: "llama3",
          factor: spec.ropeScaling.factor,
          low_freq_factor: spec.ropeScaling.lowFreqFactor,
          high_freq_factor: spec.ropeScaling.highFreqFactor,
          original_max_position_embeddings: spec.ropeScaling.originalMaxPositions,
        }
      : null;
    config = {
      architectures: [spec.architecture === "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"],
      model_type: spec.architecture,
      hidden_size: h,
      num_hidden_layers: numLayers,
      num_attention_heads: spec.numHeads,
      num_key_value_heads: kvHeads,
      head_dim: headDim,
      intermediate_size: ff,
      vocab_size: v,
      max_position_embeddings: spec.maxPositions,
      rms_norm_eps: 1e-5,
      rope_theta: spec.ropeTheta ?? 10000,
      rope_scaling: scaling,
      tie_word_embeddings: tied,
      hidden_act: "silu",
      bos_token_id: 0,
      eos_token_id: 2,
      torch_dtype: dtype === "F32" ? "float32" : dtype === "F16" ? "float16" : "bfloat16",
    };
  }
  await writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
  await writeFile(join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(byteLevelTokenizerJson(bpe)));
  await writeFile(
    join(dir, "tokenizer_config.json"),
    `${JSON.stringify(byteLevelTokenizerConfig(), null, 2)}\n`,
  );
}

function fillNormal(rng: Rng, shape: number[], std: number): Float32Array {
  let n = 1;
  for (const d of shape) n *= d;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * rng.normal();
  return out;
}
