import type { ModelConfig } from "../config.js";
import { reorderedRows } from "../formats/tensor-rows.js";
import type { GgufModelTensor } from "../gguf-file-type.js";
import { type WeightMatrix, weightRowBytes } from "../kernels/weight-matrix.js";
import type { LayerWeights, ModelWeights, WeightReader } from "../weights.js";

/**
 * The Llama family (Llama 2/3, Mistral, SmolLM2) and Qwen2: RMSNorm, rotary attention with
 * grouped KV heads, SwiGLU MLP; Qwen2 adds Q/K/V biases.
 */

export async function loadLlamaFromHf(reader: WeightReader, c: ModelConfig): Promise<ModelWeights> {
  const { hiddenSize: h, vocabSize: v, intermediateSize: ff } = c;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const tokenEmbedding = await reader.readMatrix("model.embed_tokens.weight", [v, h]);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const bias = (name: string, n: number) =>
      c.qkvBias ? reader.read(`${p}.self_attn.${name}.bias`, [n]) : null;
    layers.push({
      attnNorm: await reader.read(`${p}.input_layernorm.weight`, [h]),
      attnNormBias: null,
      wq: await reader.readMatrix(`${p}.self_attn.q_proj.weight`, [qDim, h]),
      wk: await reader.readMatrix(`${p}.self_attn.k_proj.weight`, [kvDim, h]),
      wv: await reader.readMatrix(`${p}.self_attn.v_proj.weight`, [kvDim, h]),
      wo: await reader.readMatrix(`${p}.self_attn.o_proj.weight`, [h, qDim]),
      bq: await bias("q_proj", qDim),
      bk: await bias("k_proj", kvDim),
      bv: await bias("v_proj", kvDim),
      bo: null,
      mlpNorm: await reader.read(`${p}.post_attention_layernorm.weight`, [h]),
      mlpNormBias: null,
      wGate: await reader.readMatrix(`${p}.mlp.gate_proj.weight`, [ff, h]),
      wUp: await reader.readMatrix(`${p}.mlp.up_proj.weight`, [ff, h]),
      wDown: await reader.readMatrix(`${p}.mlp.down_proj.weight`, [h, ff]),
      bUp: null,
      bDown: null,
    });
  }
  const finalNorm = await reader.read("model.norm.weight", [h]);
  const lmHead =
    c.tieWordEmbeddings || !reader.has("lm_head.weight")
      ? tokenEmbedding
      : await reader.readMatrix("lm_head.weight", [v, h]);
  return { tokenEmbedding, positionEmbedding: null, layers, finalNorm, finalNormBias: null, lmHead };
}

/**
 * llama.cpp's `llama` graph rotates adjacent pairs (2i, 2i+1), HF rotates the two halves of each
 * head, so converters permute Q/K rows per head; `qwen2` uses the halves layout and is not permuted.
 */
function needsRotaryPermutation(c: ModelConfig): boolean {
  return c.architecture === "llama";
}

/** The HF row that GGUF row r of a rotary weight came from: HF row j*half+i sits at 2i+j within each head. */
function hfRowOfGgufRow(r: number, headDim: number): number {
  const head = Math.floor(r / headDim);
  const within = r % headDim;
  return head * headDim + (within % 2) * (headDim / 2) + (within >> 1);
}

/**
 * GGUF row order -> HF row order, in place, on stored rows of `rowBytes` bytes (whole rows move,
 * so this works on quantized matrices too; a bias is rows of one F32). One head of scratch.
 */
function unpermuteRotaryRows(bytes: Uint8Array, heads: number, headDim: number, rowBytes: number): void {
  const head = new Uint8Array(headDim * rowBytes);
  for (let hd = 0; hd < heads; hd++) {
    const base = hd * headDim * rowBytes;
    head.set(bytes.subarray(base, base + headDim * rowBytes));
    for (let r = 0; r < headDim; r++) {
      const to = hfRowOfGgufRow(r, headDim) * rowBytes;
      bytes.set(head.subarray(r * rowBytes, (r + 1) * rowBytes), base + to);
    }
  }
}

export async function loadLlamaFromGguf(reader: WeightReader, c: ModelConfig): Promise<ModelWeights> {
  const { hiddenSize: h, vocabSize: v, intermediateSize: ff } = c;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const permuted = needsRotaryPermutation(c);
  const rotary = async (name: string, heads: number, shape: [number, number]): Promise<WeightMatrix> => {
    const w = await reader.readMatrix(name, shape);
    if (permuted) unpermuteRotaryRows(w.data, heads, c.headDim, weightRowBytes(w.type, w.cols));
    return w;
  };
  const rotaryBias = async (name: string, heads: number, length: number): Promise<Float32Array> => {
    const b = await reader.read(name, [length]);
    if (permuted)
      unpermuteRotaryRows(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), heads, c.headDim, 4);
    return b;
  };
  const tokenEmbedding = await reader.readMatrix("token_embd.weight", [v, h]);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `blk.${l}`;
    layers.push({
      attnNorm: await reader.read(`${p}.attn_norm.weight`, [h]),
      attnNormBias: null,
      wq: await rotary(`${p}.attn_q.weight`, c.numHeads, [qDim, h]),
      wk: await rotary(`${p}.attn_k.weight`, c.numKvHeads, [kvDim, h]),
      wv: await reader.readMatrix(`${p}.attn_v.weight`, [kvDim, h]),
      wo: await reader.readMatrix(`${p}.attn_output.weight`, [h, qDim]),
      bq: c.qkvBias ? await rotaryBias(`${p}.attn_q.bias`, c.numHeads, qDim) : null,
      bk: c.qkvBias ? await rotaryBias(`${p}.attn_k.bias`, c.numKvHeads, kvDim) : null,
      bv: c.qkvBias ? await reader.read(`${p}.attn_v.bias`, [kvDim]) : null,
      bo: null,
      mlpNorm: await reader.read(`${p}.ffn_norm.weight`, [h]),
      mlpNormBias: null,
      wGate: await reader.readMatrix(`${p}.ffn_gate.weight`, [ff, h]),
      wUp: await reader.readMatrix(`${p}.ffn_up.weight`, [ff, h]),
      wDown: await reader.readMatrix(`${p}.ffn_down.weight`, [h, ff]),
      bUp: null,
      bDown: null,
    });
  }
  const finalNorm = await reader.read("output_norm.weight", [h]);
  const lmHead = reader.has("output.weight")
    ? await reader.readMatrix("output.weight", [v, h])
    : tokenEmbedding;
  return { tokenEmbedding, positionEmbedding: null, layers, finalNorm, finalNormBias: null, lmHead };
}

/**
 * GGUF tensors for a llama/qwen2 model. Norms and biases are F32, as llama.cpp's converter keeps
 * them; the matrices' types are left to the file type (gguf-file-type.ts).
 */
export function llamaGgufTensors(
  w: ModelWeights,
  c: ModelConfig,
  ropeFreqFactors: Float32Array | null,
): GgufModelTensor[] {
  const { hiddenSize: h, vocabSize: v, intermediateSize: ff } = c;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const permuted = needsRotaryPermutation(c);
  const rot = (m: WeightMatrix) => (permuted ? reorderedRows(m, (r) => hfRowOfGgufRow(r, c.headDim)) : m);
  const rotBias = (b: Float32Array) =>
    permuted ? Float32Array.from(b, (_, r) => b[hfRowOfGgufRow(r, c.headDim)]) : b;
  const out: GgufModelTensor[] = [{ name: "token_embd.weight", shape: [v, h], data: w.tokenEmbedding }];
  if (ropeFreqFactors)
    out.push({ name: "rope_freqs.weight", shape: [c.headDim / 2], data: ropeFreqFactors, type: "f32" });
  w.layers.forEach((L, l) => {
    const p = `blk.${l}`;
    out.push(
      { name: `${p}.attn_norm.weight`, shape: [h], data: L.attnNorm, type: "f32" },
      { name: `${p}.attn_q.weight`, shape: [qDim, h], data: rot(L.wq) },
      { name: `${p}.attn_k.weight`, shape: [kvDim, h], data: rot(L.wk) },
      { name: `${p}.attn_v.weight`, shape: [kvDim, h], data: L.wv },
      { name: `${p}.attn_output.weight`, shape: [h, qDim], data: L.wo },
    );
    if (L.bq && L.bk && L.bv)
      out.push(
        { name: `${p}.attn_q.bias`, shape: [qDim], data: rotBias(L.bq), type: "f32" },
        { name: `${p}.attn_k.bias`, shape: [kvDim], data: rotBias(L.bk), type: "f32" },
        { name: `${p}.attn_v.bias`, shape: [kvDim], data: L.bv, type: "f32" },
      );
    out.push(
      { name: `${p}.ffn_norm.weight`, shape: [h], data: L.mlpNorm, type: "f32" },
      { name: `${p}.ffn_gate.weight`, shape: [ff, h], data: L.wGate! },
      { name: `${p}.ffn_up.weight`, shape: [ff, h], data: L.wUp },
      { name: `${p}.ffn_down.weight`, shape: [h, ff], data: L.wDown },
    );
  });
  out.push({ name: "output_norm.weight", shape: [h], data: w.finalNorm, type: "f32" });
  if (w.lmHead !== w.tokenEmbedding) out.push({ name: "output.weight", shape: [v, h], data: w.lmHead });
  return out;
}
