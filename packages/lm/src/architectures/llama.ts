import type { ModelConfig } from "../config.js";
import type { GgufTensorToWrite } from "../formats/gguf-writer.js";
import type { LayerWeights, ModelWeights, WeightReader } from "../weights.js";

/**
 * The Llama family (Llama 2/3, Mistral, SmolLM2) and Qwen2: RMSNorm, rotary attention with
 * grouped KV heads, SwiGLU MLP; Qwen2 adds Q/K/V biases.
 */

export async function loadLlamaFromHf(reader: WeightReader, c: ModelConfig): Promise<ModelWeights> {
  const { hiddenSize: h, vocabSize: v, intermediateSize: ff } = c;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const tokenEmbedding = await reader.read("model.embed_tokens.weight", [v, h]);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const bias = (name: string, n: number) =>
      c.qkvBias ? reader.read(`${p}.self_attn.${name}.bias`, [n]) : null;
    layers.push({
      attnNorm: await reader.read(`${p}.input_layernorm.weight`, [h]),
      attnNormBias: null,
      wq: await reader.read(`${p}.self_attn.q_proj.weight`, [qDim, h]),
      wk: await reader.read(`${p}.self_attn.k_proj.weight`, [kvDim, h]),
      wv: await reader.read(`${p}.self_attn.v_proj.weight`, [kvDim, h]),
      wo: await reader.read(`${p}.self_attn.o_proj.weight`, [h, qDim]),
      bq: await bias("q_proj", qDim),
      bk: await bias("k_proj", kvDim),
      bv: await bias("v_proj", kvDim),
      bo: null,
      mlpNorm: await reader.read(`${p}.post_attention_layernorm.weight`, [h]),
      mlpNormBias: null,
      wGate: await reader.read(`${p}.mlp.gate_proj.weight`, [ff, h]),
      wUp: await reader.read(`${p}.mlp.up_proj.weight`, [ff, h]),
      wDown: await reader.read(`${p}.mlp.down_proj.weight`, [h, ff]),
      bUp: null,
      bDown: null,
    });
  }
  const finalNorm = await reader.read("model.norm.weight", [h]);
  const lmHead =
    c.tieWordEmbeddings || !reader.has("lm_head.weight")
      ? tokenEmbedding
      : await reader.read("lm_head.weight", [v, h]);
  return { tokenEmbedding, positionEmbedding: null, layers, finalNorm, finalNormBias: null, lmHead };
}

/**
 * llama.cpp's `llama` graph rotates adjacent pairs (2i, 2i+1), HF rotates the two halves of each
 * head, so converters permute Q/K rows per head; `qwen2` uses the halves layout and is not permuted.
 */
function needsRotaryPermutation(c: ModelConfig): boolean {
  return c.architecture === "llama";
}

/** HF row order -> GGUF row order within each head: row j*half+i moves to 2i+j. */
function permuteRotaryRows(w: Float32Array, heads: number, headDim: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  const half = headDim / 2;
  for (let hd = 0; hd < heads; hd++)
    for (let j = 0; j < 2; j++)
      for (let i = 0; i < half; i++) {
        const from = (hd * headDim + j * half + i) * cols;
        out.set(w.subarray(from, from + cols), (hd * headDim + 2 * i + j) * cols);
      }
  return out;
}

/** The inverse of permuteRotaryRows, in place (one head of scratch). */
function unpermuteRotaryRows(w: Float32Array, heads: number, headDim: number, cols: number): void {
  const half = headDim / 2;
  const head = new Float32Array(headDim * cols);
  for (let hd = 0; hd < heads; hd++) {
    const base = hd * headDim * cols;
    head.set(w.subarray(base, base + headDim * cols));
    for (let j = 0; j < 2; j++)
      for (let i = 0; i < half; i++) {
        const from = (2 * i + j) * cols;
        w.set(head.subarray(from, from + cols), base + (j * half + i) * cols);
      }
  }
}

export async function loadLlamaFromGguf(reader: WeightReader, c: ModelConfig): Promise<ModelWeights> {
  const { hiddenSize: h, vocabSize: v, intermediateSize: ff } = c;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const permuted = needsRotaryPermutation(c);
  const rotary = async (name: string, heads: number, shape: number[]) => {
    const w = await reader.read(name, shape);
    if (permuted) unpermuteRotaryRows(w, heads, c.headDim, shape.length === 2 ? shape[1] : 1);
    return w;
  };
  const tokenEmbedding = await reader.read("token_embd.weight", [v, h]);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `blk.${l}`;
    layers.push({
      attnNorm: await reader.read(`${p}.attn_norm.weight`, [h]),
      attnNormBias: null,
      wq: await rotary(`${p}.attn_q.weight`, c.numHeads, [qDim, h]),
      wk: await rotary(`${p}.attn_k.weight`, c.numKvHeads, [kvDim, h]),
      wv: await reader.read(`${p}.attn_v.weight`, [kvDim, h]),
      wo: await reader.read(`${p}.attn_output.weight`, [h, qDim]),
      bq: c.qkvBias ? await rotary(`${p}.attn_q.bias`, c.numHeads, [qDim]) : null,
      bk: c.qkvBias ? await rotary(`${p}.attn_k.bias`, c.numKvHeads, [kvDim]) : null,
      bv: c.qkvBias ? await reader.read(`${p}.attn_v.bias`, [kvDim]) : null,
      bo: null,
      mlpNorm: await reader.read(`${p}.ffn_norm.weight`, [h]),
      mlpNormBias: null,
      wGate: await reader.read(`${p}.ffn_gate.weight`, [ff, h]),
      wUp: await reader.read(`${p}.ffn_up.weight`, [ff, h]),
      wDown: await reader.read(`${p}.ffn_down.weight`, [h, ff]),
      bUp: null,
      bDown: null,
    });
  }
  const finalNorm = await reader.read("output_norm.weight", [h]);
  const lmHead = reader.has("output.weight") ? await reader.read("output.weight", [v, h]) : tokenEmbedding;
  return { tokenEmbedding, positionEmbedding: null, layers, finalNorm, finalNormBias: null, lmHead };
}

/** GGUF tensors for a llama/qwen2 model (norms and biases stay F32, as llama.cpp's converter keeps them). */
export function llamaGgufTensors(
  w: ModelWeights,
  c: ModelConfig,
  type: GgufTensorToWrite["type"],
  ropeFreqFactors: Float32Array | null,
): GgufTensorToWrite[] {
  const { hiddenSize: h, vocabSize: v, intermediateSize: ff } = c;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const permuted = needsRotaryPermutation(c);
  const rot = (x: Float32Array, heads: number, cols: number) =>
    permuted ? permuteRotaryRows(x, heads, c.headDim, cols) : x;
  const out: GgufTensorToWrite[] = [
    { name: "token_embd.weight", shape: [v, h], data: w.tokenEmbedding, type },
  ];
  if (ropeFreqFactors)
    out.push({ name: "rope_freqs.weight", shape: [c.headDim / 2], data: ropeFreqFactors, type: "F32" });
  w.layers.forEach((L, l) => {
    const p = `blk.${l}`;
    out.push(
      { name: `${p}.attn_norm.weight`, shape: [h], data: L.attnNorm, type: "F32" },
      { name: `${p}.attn_q.weight`, shape: [qDim, h], data: rot(L.wq, c.numHeads, h), type },
      { name: `${p}.attn_k.weight`, shape: [kvDim, h], data: rot(L.wk, c.numKvHeads, h), type },
      { name: `${p}.attn_v.weight`, shape: [kvDim, h], data: L.wv, type },
      { name: `${p}.attn_output.weight`, shape: [h, qDim], data: L.wo, type },
    );
    if (L.bq && L.bk && L.bv)
      out.push(
        { name: `${p}.attn_q.bias`, shape: [qDim], data: rot(L.bq, c.numHeads, 1), type: "F32" },
        { name: `${p}.attn_k.bias`, shape: [kvDim], data: rot(L.bk, c.numKvHeads, 1), type: "F32" },
        { name: `${p}.attn_v.bias`, shape: [kvDim], data: L.bv, type: "F32" },
      );
    out.push(
      { name: `${p}.ffn_norm.weight`, shape: [h], data: L.mlpNorm, type: "F32" },
      { name: `${p}.ffn_gate.weight`, shape: [ff, h], data: L.wGate!, type },
      { name: `${p}.ffn_up.weight`, shape: [ff, h], data: L.wUp, type },
      { name: `${p}.ffn_down.weight`, shape: [h, ff], data: L.wDown, type },
    );
  });
  out.push({ name: "output_norm.weight", shape: [h], data: w.finalNorm, type: "F32" });
  if (w.lmHead !== w.tokenEmbedding) out.push({ name: "output.weight", shape: [v, h], data: w.lmHead, type });
  return out;
}
