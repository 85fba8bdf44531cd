import type { ModelConfig } from "../config.js";
import { stackedRows } from "../formats/tensor-rows.js";
import type { GgufModelTensor } from "../gguf-file-type.js";
import type { LayerWeights, ModelWeights, WeightReader } from "../weights.js";

/**
 * GPT-2: LayerNorm with bias, learned absolute positions, fused QKV, GELU MLP, biases everywhere.
 * HF stores its linear layers as Conv1D, i.e. [in, out]; we transpose them to [out, in] on load.
 */

/** What every GPT-2 is, so neither config.json nor GGUF metadata spells it out. */
export const GPT2_FIXED_CONFIG = {
  norm: "layer",
  mlp: "gelu",
  positions: "learned",
  ropeTheta: 0,
  ropeScaling: null,
  qkvBias: true,
  outputBias: true,
} as const satisfies Partial<ModelConfig>;

export async function loadGpt2FromHf(reader: WeightReader, c: ModelConfig): Promise<ModelWeights> {
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
      mlpNorm: await reader.read(`${p}.ln_2.weight`, [h]),
      mlpNormBias: await reader.read(`${p}.ln_2.bias`, [h]),
      wGate: null,
      wUp: await reader.readMatrixTransposed(`${p}.mlp.c_fc.weight`, [h, ff]),
      wDown: await reader.readMatrixTransposed(`${p}.mlp.c_proj.weight`, [ff, h]),
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

export async function loadGpt2FromGguf(reader: WeightReader, c: ModelConfig): Promise<ModelWeights> {
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
      mlpNorm: await reader.read(`${p}.ffn_norm.weight`, [h]),
      mlpNormBias: await reader.read(`${p}.ffn_norm.bias`, [h]),
      wGate: null,
      wUp: await reader.readMatrix(`${p}.ffn_up.weight`, [ff, h]),
      wDown: await reader.readMatrix(`${p}.ffn_down.weight`, [h, ff]),
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

/** GGUF tensors for a GPT-2 model: vectors and positions F32, the matrices' types left to the file type. */
export function gpt2GgufTensors(w: ModelWeights, c: ModelConfig): GgufModelTensor[] {
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
