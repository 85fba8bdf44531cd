import { type ModelConfig, plainTraits } from "../config.js";
import { stackedRows } from "../formats/tensor-rows.js";
import type { GgufModelTensor } from "../gguf-file-type.js";
import type { LayerWeights, ModelWeights, WeightReader } from "../weights.js";
import type { ArchitectureDefinition, RandomTensor } from "./architecture.js";
import { torchDtype } from "./decoder-config.js";
import { ggufKeys, ggufShapeMetadata } from "./gguf-metadata.js";

/**
 * GPT-2: LayerNorm with bias, learned absolute positions, fused QKV, GELU MLP, biases everywhere.
 * HF stores its linear layers as Conv1D, i.e. [in, out]; we transpose them to [out, in] on load.
 */

/** What every GPT-2 is, so neither config.json nor GGUF metadata spells it out. */
const GPT2_FIXED_CONFIG = {
  architecture: "gpt2",
  norm: "layer",
  mlp: "gelu",
  rope: null,
  qkvBias: true,
  attnOutputBias: true,
  mlpBias: true,
} as const satisfies Partial<ModelConfig>;

const NO_EXTRA_NORMS = { qNorm: null, kNorm: null, attnPostNorm: null, mlpPostNorm: null };

export const gpt2: ArchitectureDefinition = {
  name: "gpt2",
  hfModelTypes: ["gpt2"],
  hfClassNames: ["gpt2lmheadmodel"],
  ggufArchitecture: "gpt2",
  readsGguf: true,
  hfFieldNames: {
    hiddenSize: "n_embd",
    numLayers: "n_layer",
    numHeads: "n_head",
    numKvHeads: "n_head",
    headDim: "n_head",
    intermediateSize: "n_inner",
    vocabSize: "vocab_size",
    maxPositions: "n_positions",
    normEps: "layer_norm_epsilon",
  },

  configFromHf(f) {
    const hiddenSize = f.number("n_embd");
    const numHeads = f.number("n_head");
    const activation = f.raw.activation_function ?? "gelu_new";
    if (activation !== "gelu_new" && activation !== "gelu_pytorch_tanh" && activation !== "gelu")
      f.fail("activation_function", `unsupported ${JSON.stringify(activation)} (gelu_new is)`);
    const numLayers = f.number("n_layer");
    return {
      ...GPT2_FIXED_CONFIG,
      ...plainTraits(numLayers, hiddenSize / numHeads),
      hiddenSize,
      numLayers,
      numHeads,
      numKvHeads: numHeads,
      headDim: hiddenSize / numHeads,
      intermediateSize: f.number("n_inner", 4 * hiddenSize),
      vocabSize: f.number("vocab_size"),
      maxPositions: f.number("n_positions", f.number("n_ctx", 1024)),
      normEps: f.number("layer_norm_epsilon", 1e-5),
      // transformers 4.x omits it for GPT-2 because tying is the default there.
      tieWordEmbeddings: f.raw.tie_word_embeddings !== false,
      bosTokenId: f.firstId("bos_token_id"),
      eosTokenId: f.firstId("eos_token_id"),
      randomWeights: f.randomWeights,
    };
  },

  async configFromGguf(f) {
    const [vocabSize] = f.shape("token_embd.weight");
    const hiddenSize = f.number("embedding_length");
    const numHeads = f.number("attention.head_count");
    const numLayers = f.number("block_count");
    return {
      ...GPT2_FIXED_CONFIG,
      ...plainTraits(numLayers, hiddenSize / numHeads),
      hiddenSize,
      numLayers,
      numHeads,
      numKvHeads: numHeads,
      headDim: hiddenSize / numHeads,
      intermediateSize: f.number("feed_forward_length"),
      vocabSize,
      maxPositions: f.number("context_length"),
      normEps: f.number("attention.layer_norm_epsilon", 1e-5),
      tieWordEmbeddings: !f.hasTensor("output.weight"),
      bosTokenId: f.tokenId("bos_token_id"),
      eosTokenId: f.tokenId("eos_token_id"),
      randomWeights: f.randomWeights,
    };
  },

  loadHf: loadGpt2FromHf,
  loadGguf: loadGpt2FromGguf,

  ggufMetadata: (c) => [
    ...ggufShapeMetadata("gpt2", c),
    ggufKeys("gpt2").f32("attention.layer_norm_epsilon", c.normEps),
  ],
  ggufTensors: gpt2GgufTensors,

  randomConfigJson: (spec) => ({
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    n_embd: spec.hiddenSize,
    n_layer: spec.numLayers,
    n_head: spec.numHeads,
    n_inner: spec.intermediateSize,
    n_positions: spec.maxPositions,
    n_ctx: spec.maxPositions,
    vocab_size: spec.vocabSize,
    layer_norm_epsilon: 1e-5,
    activation_function: "gelu_new",
    tie_word_embeddings: spec.tieWordEmbeddings ?? true,
    bos_token_id: 0,
    eos_token_id: 2,
    torch_dtype: torchDtype(spec),
  }),
  hfTensors: gpt2HfTensors,
};

function gpt2HfTensors(c: ModelConfig): RandomTensor[] {
  const { hiddenSize: h, intermediateSize: ff, vocabSize: v } = c;
  const matrix = (name: string, shape: number[]): RandomTensor => ({ name, shape, kind: "matrix" });
  const bias = (name: string, n: number): RandomTensor => ({ name, shape: [n], kind: "bias" });
  const gain = (name: string, n: number): RandomTensor => ({ name, shape: [n], kind: "gain", center: 1 });
  const out = [
    { name: "transformer.wte.weight", shape: [v, h], kind: "embedding" } satisfies RandomTensor,
    matrix("transformer.wpe.weight", [c.maxPositions, h]),
  ];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `transformer.h.${l}`;
    out.push(
      gain(`${p}.ln_1.weight`, h),
      bias(`${p}.ln_1.bias`, h),
      matrix(`${p}.attn.c_attn.weight`, [h, 3 * h]),
      bias(`${p}.attn.c_attn.bias`, 3 * h),
      matrix(`${p}.attn.c_proj.weight`, [h, h]),
      bias(`${p}.attn.c_proj.bias`, h),
      gain(`${p}.ln_2.weight`, h),
      bias(`${p}.ln_2.bias`, h),
      matrix(`${p}.mlp.c_fc.weight`, [h, ff]),
      bias(`${p}.mlp.c_fc.bias`, ff),
      matrix(`${p}.mlp.c_proj.weight`, [ff, h]),
      bias(`${p}.mlp.c_proj.bias`, h),
    );
  }
  out.push(gain("transformer.ln_f.weight", h), bias("transformer.ln_f.bias", h));
  if (!c.tieWordEmbeddings) out.push(matrix("lm_head.weight", [v, h]));
  return out;
}

async function loadGpt2FromHf(reader: WeightReader, c: ModelConfig): Promise<ModelWeights> {
  const { hiddenSize: h, vocabSize: v, intermediateSize: ff } = c;
  // Checkpoints saved from GPT2Model (the original "gpt2") have no "transformer." prefix.
  const t = reader.has("transformer.wte.weight") ? "transformer." : "";
  const tokenEmbedding = await reader.readMatrix(`${t}wte.weight`, [v, h]);
  const positionEmbedding = await reader.read(`${t}wpe.weight`, [c.maxPositions, h]);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `${t}h.${l}`;
    const qkvName = `${p}.attn.c_attn.weight`;
    const wq = await reader.readMatrixTransposed(qkvName, [h, 3 * h], [0, h]);
    const wk = await reader.readMatrixTransposed(qkvName, [h, 3 * h], [h, 2 * h]);
    const wv = await reader.readMatrixTransposed(qkvName, [h, 3 * h], [2 * h, 3 * h]);
    const qkvBias = await reader.readScratch(`${p}.attn.c_attn.bias`, [3 * h]);
    const [bq, bk, bv] = [0, 1, 2].map((part) =>
      reader.copyToBackend(qkvBias.subarray(part * h, (part + 1) * h)),
    );
    layers.push({
      attnNorm: await reader.read(`${p}.ln_1.weight`, [h]),
      attnNormBias: await reader.read(`${p}.ln_1.bias`, [h]),
      wq,
      wk,
      wv,
      wo: await reader.readMatrixTransposed(`${p}.attn.c_proj.weight`, [h, h]),
      bq,
      bk,
      bv,
      bo: await reader.read(`${p}.attn.c_proj.bias`, [h]),
      ...NO_EXTRA_NORMS,
      mlpNorm: await reader.read(`${p}.ln_2.weight`, [h]),
      mlpNormBias: await reader.read(`${p}.ln_2.bias`, [h]),
      wGate: null,
      wUp: await reader.readMatrixTransposed(`${p}.mlp.c_fc.weight`, [h, ff]),
      wDown: await reader.readMatrixTransposed(`${p}.mlp.c_proj.weight`, [ff, h]),
      bGate: null,
      bUp: await reader.read(`${p}.mlp.c_fc.bias`, [ff]),
      bDown: await reader.read(`${p}.mlp.c_proj.bias`, [h]),
    });
  }
  const finalNorm = await reader.read(`${t}ln_f.weight`, [h]);
  const finalNormBias = await reader.read(`${t}ln_f.bias`, [h]);
  const lmHead =
    c.tieWordEmbeddings || !reader.has("lm_head.weight")
      ? tokenEmbedding
      : await reader.readMatrix("lm_head.weight", [v, h]);
  return { tokenEmbedding, positionEmbedding, layers, finalNorm, finalNormBias, lmHead };
}

async function loadGpt2FromGguf(reader: WeightReader, c: ModelConfig): Promise<ModelWeights> {
  const { hiddenSize: h, vocabSize: v, intermediateSize: ff } = c;
  const tokenEmbedding = await reader.readMatrix("token_embd.weight", [v, h]);
  const positionEmbedding = await reader.read("position_embd.weight", [c.maxPositions, h]);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `blk.${l}`;
    const qkvName = `${p}.attn_qkv.weight`;
    const qkvBias = await reader.readScratch(`${p}.attn_qkv.bias`, [3 * h]);
    const part = (x: Float32Array, i: number, size: number) =>
      reader.copyToBackend(x.subarray(i * size, (i + 1) * size));
    layers.push({
      attnNorm: await reader.read(`${p}.attn_norm.weight`, [h]),
      attnNormBias: await reader.read(`${p}.attn_norm.bias`, [h]),
      wq: await reader.readMatrix(qkvName, [3 * h, h], [0, h]),
      wk: await reader.readMatrix(qkvName, [3 * h, h], [h, 2 * h]),
      wv: await reader.readMatrix(qkvName, [3 * h, h], [2 * h, 3 * h]),
      wo: await reader.readMatrix(`${p}.attn_output.weight`, [h, h]),
      bq: part(qkvBias, 0, h),
      bk: part(qkvBias, 1, h),
      bv: part(qkvBias, 2, h),
      bo: await reader.read(`${p}.attn_output.bias`, [h]),
      ...NO_EXTRA_NORMS,
      mlpNorm: await reader.read(`${p}.ffn_norm.weight`, [h]),
      mlpNormBias: await reader.read(`${p}.ffn_norm.bias`, [h]),
      wGate: null,
      wUp: await reader.readMatrix(`${p}.ffn_up.weight`, [ff, h]),
      wDown: await reader.readMatrix(`${p}.ffn_down.weight`, [h, ff]),
      bGate: null,
      bUp: await reader.read(`${p}.ffn_up.bias`, [ff]),
      bDown: await reader.read(`${p}.ffn_down.bias`, [h]),
    });
  }
  const finalNorm = await reader.read("output_norm.weight", [h]);
  const finalNormBias = await reader.read("output_norm.bias", [h]);
  const lmHead = reader.has("output.weight")
    ? await reader.readMatrix("output.weight", [v, h])
    : tokenEmbedding;
  return { tokenEmbedding, positionEmbedding, layers, finalNorm, finalNormBias, lmHead };
}

/** GGUF tensors for GPT-2: vectors and positions F32, the matrices' types left to the file type. */
function gpt2GgufTensors(w: ModelWeights, c: ModelConfig): GgufModelTensor[] {
  const { hiddenSize: h, vocabSize: v, intermediateSize: ff } = c;
  const f32 = (name: string, data: Float32Array | null): GgufModelTensor => ({
    name,
    shape: [data!.length],
    data: data!,
    type: "f32",
  });
  const out: GgufModelTensor[] = [
    { name: "token_embd.weight", shape: [v, h], data: w.tokenEmbedding },
    { name: "position_embd.weight", shape: [c.maxPositions, h], data: w.positionEmbedding!, type: "f32" },
  ];
  w.layers.forEach((L, l) => {
    const p = `blk.${l}`;
    const qkvBias = new Float32Array(3 * h);
    qkvBias.set(L.bq!, 0);
    qkvBias.set(L.bk!, h);
    qkvBias.set(L.bv!, 2 * h);
    out.push(
      f32(`${p}.attn_norm.weight`, L.attnNorm),
      f32(`${p}.attn_norm.bias`, L.attnNormBias),
      { name: `${p}.attn_qkv.weight`, shape: [3 * h, h], data: stackedRows([L.wq, L.wk, L.wv]) },
      f32(`${p}.attn_qkv.bias`, qkvBias),
      { name: `${p}.attn_output.weight`, shape: [h, h], data: L.wo },
      f32(`${p}.attn_output.bias`, L.bo),
      f32(`${p}.ffn_norm.weight`, L.mlpNorm),
      f32(`${p}.ffn_norm.bias`, L.mlpNormBias),
      { name: `${p}.ffn_up.weight`, shape: [ff, h], data: L.wUp },
      f32(`${p}.ffn_up.bias`, L.bUp),
      { name: `${p}.ffn_down.weight`, shape: [h, ff], data: L.wDown },
      f32(`${p}.ffn_down.bias`, L.bDown),
    );
  });
  out.push(f32("output_norm.weight", w.finalNorm), f32("output_norm.bias", w.finalNormBias));
  if (w.lmHead !== w.tokenEmbedding) out.push({ name: "output.weight", shape: [v, h], data: w.lmHead });
  return out;
}
