import type { ModelConfig } from "../config.js";
import { reorderedRows, stackedRows } from "../formats/tensor-rows.js";
import type { GgufModelTensor } from "../gguf-file-type.js";
import { type WeightMatrix, weightRowBytes } from "../kernels/weight-matrix.js";
import type { LayerWeights, ModelWeights, WeightReader } from "../weights.js";
import type { RandomTensor } from "./architecture.js";

/**
 * The tensors of a rotary decoder (Llama, Qwen, Mistral, Gemma, Phi-3) by role, and reading and
 * writing them by the names one file format gives those roles. Each architecture states its
 * names; this file is the one place that knows each role's shape and how fused tensors split.
 */

/** One layer's tensor names in one format, without the `.weight` / `.bias` suffix. */
export interface DecoderLayerNames {
  attnNorm: string;
  /** Separate Q, K, V projections, or one fused [q; k; v] tensor (Phi-3). */
  qkv: { q: string; k: string; v: string } | { fused: string };
  o: string;
  /** Per-head RMSNorms of queries and keys (read when config.qkNorm). */
  qNorm: string;
  kNorm: string;
  /** The norm after attention, before its residual add (read when config.postNorms). */
  attnPostNorm?: string;
  mlpNorm: string;
  /** Separate gate and up projections, or one fused [gate; up] tensor (Phi-3). */
  gateUp: { gate: string; up: string } | { fused: string };
  down: string;
  /** The norm after the MLP, before its residual add (read when config.postNorms). */
  mlpPostNorm?: string;
}

export interface DecoderNames {
  embedding: string;
  finalNorm: string;
  lmHead: string;
  layer(l: number): DecoderLayerNames;
}

/** How one format stores a decoder: its names, and what it does differently from HF's layout. */
export interface DecoderLayout {
  names: DecoderNames;
  /**
   * Q/K rows (and biases) in llama.cpp's `llama` rotary layout, which rotates adjacent pairs
   * (2i, 2i+1) where HF rotates the two halves of each head.
   */
  pairedRotary?: boolean;
  /**
   * Added to every stored norm gain on reading: Gemma's RMSNorm scales by (1 + w), so its HF
   * checkpoints store w, while its GGUF files store 1 + w (llama.cpp's converter adds the 1).
   */
  normOffset?: number;
}

/** Transformers' names, shared by the Llama-style decoders. */
export function hfDecoderNames(): DecoderNames {
  return {
    embedding: "model.embed_tokens",
    finalNorm: "model.norm",
    lmHead: "lm_head",
    layer: (l) => {
      const p = `model.layers.${l}`;
      return {
        attnNorm: `${p}.input_layernorm`,
        qkv: { q: `${p}.self_attn.q_proj`, k: `${p}.self_attn.k_proj`, v: `${p}.self_attn.v_proj` },
        o: `${p}.self_attn.o_proj`,
        qNorm: `${p}.self_attn.q_norm`,
        kNorm: `${p}.self_attn.k_norm`,
        mlpNorm: `${p}.post_attention_layernorm`,
        gateUp: { gate: `${p}.mlp.gate_proj`, up: `${p}.mlp.up_proj` },
        down: `${p}.mlp.down_proj`,
      };
    },
  };
}

/** llama.cpp's names (src/llama-arch.cpp), the same for every decoder architecture it runs. */
export function ggufDecoderNames(): DecoderNames {
  return {
    embedding: "token_embd",
    finalNorm: "output_norm",
    lmHead: "output",
    layer: (l) => {
      const p = `blk.${l}`;
      return {
        attnNorm: `${p}.attn_norm`,
        qkv: { q: `${p}.attn_q`, k: `${p}.attn_k`, v: `${p}.attn_v` },
        o: `${p}.attn_output`,
        qNorm: `${p}.attn_q_norm`,
        kNorm: `${p}.attn_k_norm`,
        attnPostNorm: `${p}.post_attention_norm`,
        mlpNorm: `${p}.ffn_norm`,
        gateUp: { gate: `${p}.ffn_gate`, up: `${p}.ffn_up` },
        down: `${p}.ffn_down`,
        mlpPostNorm: `${p}.post_ffw_norm`,
      };
    },
  };
}

function dims(c: ModelConfig) {
  return {
    h: c.hiddenSize,
    v: c.vocabSize,
    ff: c.intermediateSize,
    qDim: c.numHeads * c.headDim,
    kvDim: c.numKvHeads * c.headDim,
  };
}

/** Reads a decoder's weights into backend memory, in HF orientation and rotary layout. */
export async function loadDecoder(
  reader: WeightReader,
  c: ModelConfig,
  layout: DecoderLayout,
): Promise<ModelWeights> {
  const { h, v, ff, qDim, kvDim } = dims(c);
  const { names } = layout;
  const read = (base: string, shape: number[]) => reader.read(`${base}.weight`, shape);
  const gain = async (base: string | undefined, n: number) => {
    if (base === undefined)
      throw new Error(`the ${c.architecture} layout names no tensor for a norm its config has`);
    const g = await read(base, [n]);
    const offset = layout.normOffset ?? 0;
    if (offset !== 0) for (let i = 0; i < n; i++) g[i] += offset;
    return g;
  };
  const matrix = (base: string, shape: [number, number]) => reader.readMatrix(`${base}.weight`, shape);
  const bias = (base: string, n: number) => reader.read(`${base}.bias`, [n]);
  const rotary = async (base: string, heads: number, shape: [number, number]) => {
    const w = await reader.readMatrix(`${base}.weight`, shape);
    if (layout.pairedRotary) unpermuteRotaryRows(w.data, heads, c.headDim, weightRowBytes(w.type, w.cols));
    return w;
  };
  const rotaryBias = async (base: string, heads: number, n: number) => {
    const b = await reader.read(`${base}.bias`, [n]);
    if (layout.pairedRotary)
      unpermuteRotaryRows(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), heads, c.headDim, 4);
    return b;
  };
  /** Reads each part (a run of rows) of a tensor of stacked parts as its own matrix. */
  const splitMatrix = async (name: string, rows: number[], cols: number) => {
    const parts: WeightMatrix[] = [];
    let from = 0;
    for (const n of rows) {
      parts.push(await reader.readMatrix(name, [sum(rows), cols], [from, from + n]));
      from += n;
    }
    return parts;
  };
  /** Reads a vector of stacked parts and copies each part into its own vector. */
  const splitVector = async (name: string, lengths: number[]) => {
    const whole = await reader.readScratch(name, [sum(lengths)]);
    let from = 0;
    return lengths.map((n) => {
      const part = reader.copyToBackend(whole.subarray(from, from + n));
      from += n;
      return part;
    });
  };

  const tokenEmbedding = await matrix(names.embedding, [v, h]);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const n = names.layer(l);
    const attnNorm = await gain(n.attnNorm, h);
    let wq: WeightMatrix;
    let wk: WeightMatrix;
    let wv: WeightMatrix;
    let bq: Float32Array | null = null;
    let bk: Float32Array | null = null;
    let bv: Float32Array | null = null;
    if ("fused" in n.qkv) {
      [wq, wk, wv] = await splitMatrix(`${n.qkv.fused}.weight`, [qDim, kvDim, kvDim], h);
      if (c.qkvBias) [bq, bk, bv] = await splitVector(`${n.qkv.fused}.bias`, [qDim, kvDim, kvDim]);
    } else {
      wq = await rotary(n.qkv.q, c.numHeads, [qDim, h]);
      wk = await rotary(n.qkv.k, c.numKvHeads, [kvDim, h]);
      wv = await matrix(n.qkv.v, [kvDim, h]);
      if (c.qkvBias) {
        bq = await rotaryBias(n.qkv.q, c.numHeads, qDim);
        bk = await rotaryBias(n.qkv.k, c.numKvHeads, kvDim);
        bv = await bias(n.qkv.v, kvDim);
      }
    }
    const qNorm = c.qkNorm ? await gain(n.qNorm, c.headDim) : null;
    const kNorm = c.qkNorm ? await gain(n.kNorm, c.headDim) : null;
    const wo = await matrix(n.o, [h, qDim]);
    const bo = c.attnOutputBias ? await bias(n.o, h) : null;
    const attnPostNorm = c.postNorms ? await gain(n.attnPostNorm, h) : null;
    const mlpNorm = await gain(n.mlpNorm, h);
    let wGate: WeightMatrix;
    let wUp: WeightMatrix;
    let bGate: Float32Array | null = null;
    let bUp: Float32Array | null = null;
    if ("fused" in n.gateUp) {
      [wGate, wUp] = await splitMatrix(`${n.gateUp.fused}.weight`, [ff, ff], h);
      if (c.mlpBias) [bGate, bUp] = await splitVector(`${n.gateUp.fused}.bias`, [ff, ff]);
    } else {
      wGate = await matrix(n.gateUp.gate, [ff, h]);
      wUp = await matrix(n.gateUp.up, [ff, h]);
      if (c.mlpBias) {
        bGate = await bias(n.gateUp.gate, ff);
        bUp = await bias(n.gateUp.up, ff);
      }
    }
    const wDown = await matrix(n.down, [h, ff]);
    const bDown = c.mlpBias ? await bias(n.down, h) : null;
    const mlpPostNorm = c.postNorms ? await gain(n.mlpPostNorm, h) : null;
    layers.push({
      attnNorm,
      attnNormBias: null,
      wq,
      wk,
      wv,
      wo,
      bq,
      bk,
      bv,
      bo,
      qNorm,
      kNorm,
      attnPostNorm,
      mlpNorm,
      mlpNormBias: null,
      wGate,
      wUp,
      wDown,
      bGate,
      bUp,
      bDown,
      mlpPostNorm,
    });
  }
  const finalNorm = await gain(names.finalNorm, h);
  const lmHead =
    !c.tieWordEmbeddings && reader.has(`${names.lmHead}.weight`)
      ? await matrix(names.lmHead, [v, h])
      : tokenEmbedding;
  return { tokenEmbedding, positionEmbedding: null, layers, finalNorm, finalNormBias: null, lmHead };
}

/**
 * A decoder's tensors for a GGUF file, in llama.cpp converter order; `afterEmbedding` are
 * model-wide tensors an architecture adds (e.g. Llama-3's rope_freqs). Matrices leave their type
 * to the file type; norms and biases are F32. Permuted and fused matrices are made a few rows at
 * a time as the writer asks for them (see TensorRows).
 */
export function decoderGgufTensors(
  w: ModelWeights,
  c: ModelConfig,
  layout: DecoderLayout,
  afterEmbedding: GgufModelTensor[] = [],
): GgufModelTensor[] {
  const { h, v, ff, qDim, kvDim } = dims(c);
  const { names } = layout;
  const rot = (m: WeightMatrix) =>
    layout.pairedRotary ? reorderedRows(m, (r) => hfRowOfPairedRow(r, c.headDim)) : m;
  const rotBias = (b: Float32Array) =>
    layout.pairedRotary ? Float32Array.from(b, (_, r) => b[hfRowOfPairedRow(r, c.headDim)]) : b;
  const matrix = (base: string, shape: number[], data: GgufModelTensor["data"]): GgufModelTensor => ({
    name: `${base}.weight`,
    shape,
    data,
  });
  const f32 = (name: string, data: Float32Array): GgufModelTensor => ({
    name,
    shape: [data.length],
    data,
    type: "f32",
  });
  // Gains are written as the forward pass uses them (Gemma's 1 + w), as llama.cpp reads them.
  const norm = (base: string | undefined, data: Float32Array): GgufModelTensor => {
    if (base === undefined) throw new Error(`the ${c.architecture} GGUF layout names no tensor for a norm`);
    return f32(`${base}.weight`, data);
  };
  const out: GgufModelTensor[] = [matrix(names.embedding, [v, h], w.tokenEmbedding), ...afterEmbedding];
  w.layers.forEach((L, l) => {
    const n = names.layer(l);
    out.push(norm(n.attnNorm, L.attnNorm));
    if ("fused" in n.qkv) {
      out.push(matrix(n.qkv.fused, [qDim + 2 * kvDim, h], stackedRows([L.wq, L.wk, L.wv])));
      if (L.bq && L.bk && L.bv) out.push(f32(`${n.qkv.fused}.bias`, concat(L.bq, L.bk, L.bv)));
    } else {
      out.push(
        matrix(n.qkv.q, [qDim, h], rot(L.wq)),
        matrix(n.qkv.k, [kvDim, h], rot(L.wk)),
        matrix(n.qkv.v, [kvDim, h], L.wv),
      );
    }
    if (L.qNorm && L.kNorm) out.push(norm(n.qNorm, L.qNorm), norm(n.kNorm, L.kNorm));
    out.push(matrix(n.o, [h, qDim], L.wo));
    if (!("fused" in n.qkv) && L.bq && L.bk && L.bv)
      out.push(
        f32(`${n.qkv.q}.bias`, rotBias(L.bq)),
        f32(`${n.qkv.k}.bias`, rotBias(L.bk)),
        f32(`${n.qkv.v}.bias`, L.bv),
      );
    if (L.bo) out.push(f32(`${n.o}.bias`, L.bo));
    if (L.attnPostNorm) out.push(norm(n.attnPostNorm, L.attnPostNorm));
    out.push(norm(n.mlpNorm, L.mlpNorm));
    const gate = L.wGate!;
    if ("fused" in n.gateUp) {
      out.push(matrix(n.gateUp.fused, [2 * ff, h], stackedRows([gate, L.wUp])));
      if (L.bGate && L.bUp) out.push(f32(`${n.gateUp.fused}.bias`, concat(L.bGate, L.bUp)));
    } else {
      out.push(matrix(n.gateUp.gate, [ff, h], gate), matrix(n.gateUp.up, [ff, h], L.wUp));
      if (L.bGate && L.bUp)
        out.push(f32(`${n.gateUp.gate}.bias`, L.bGate), f32(`${n.gateUp.up}.bias`, L.bUp));
    }
    out.push(matrix(n.down, [h, ff], L.wDown));
    if (L.bDown) out.push(f32(`${n.down}.bias`, L.bDown));
    if (L.mlpPostNorm) out.push(norm(n.mlpPostNorm, L.mlpPostNorm));
  });
  out.push(norm(names.finalNorm, w.finalNorm));
  if (w.lmHead !== w.tokenEmbedding) out.push(matrix(names.lmHead, [v, h], w.lmHead));
  return out;
}

/** The tensors a checkpoint of this config holds under `names`, in file order. */
export function decoderTensorList(c: ModelConfig, layout: DecoderLayout): RandomTensor[] {
  const { names } = layout;
  const gainCenter = 1 - (layout.normOffset ?? 0);
  const { h, v, ff, qDim, kvDim } = dims(c);
  const matrix = (base: string, shape: number[]): RandomTensor => ({
    name: `${base}.weight`,
    shape,
    kind: "matrix",
  });
  const bias = (base: string, n: number): RandomTensor => ({
    name: `${base}.bias`,
    shape: [n],
    kind: "bias",
  });
  const gain = (base: string | undefined, n: number): RandomTensor => ({
    name: `${base}.weight`,
    shape: [n],
    kind: "gain",
    center: gainCenter,
  });
  const out: RandomTensor[] = [{ name: `${names.embedding}.weight`, shape: [v, h], kind: "embedding" }];
  for (let l = 0; l < c.numLayers; l++) {
    const n = names.layer(l);
    out.push(gain(n.attnNorm, h));
    if ("fused" in n.qkv) {
      out.push(matrix(n.qkv.fused, [qDim + 2 * kvDim, h]));
      if (c.qkvBias) out.push(bias(n.qkv.fused, qDim + 2 * kvDim));
    } else {
      out.push(matrix(n.qkv.q, [qDim, h]), matrix(n.qkv.k, [kvDim, h]), matrix(n.qkv.v, [kvDim, h]));
      if (c.qkvBias) out.push(bias(n.qkv.q, qDim), bias(n.qkv.k, kvDim), bias(n.qkv.v, kvDim));
    }
    if (c.qkNorm) out.push(gain(n.qNorm, c.headDim), gain(n.kNorm, c.headDim));
    out.push(matrix(n.o, [h, qDim]));
    if (c.attnOutputBias) out.push(bias(n.o, h));
    if (c.postNorms) out.push(gain(n.attnPostNorm, h));
    out.push(gain(n.mlpNorm, h));
    if ("fused" in n.gateUp) {
      out.push(matrix(n.gateUp.fused, [2 * ff, h]));
      if (c.mlpBias) out.push(bias(n.gateUp.fused, 2 * ff));
    } else {
      out.push(matrix(n.gateUp.gate, [ff, h]), matrix(n.gateUp.up, [ff, h]));
      if (c.mlpBias) out.push(bias(n.gateUp.gate, ff), bias(n.gateUp.up, ff));
    }
    out.push(matrix(n.down, [h, ff]));
    if (c.mlpBias) out.push(bias(n.down, h));
    if (c.postNorms) out.push(gain(n.mlpPostNorm, h));
  }
  out.push(gain(names.finalNorm, h));
  if (!c.tieWordEmbeddings) out.push(matrix(names.lmHead, [v, h]));
  return out;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(sum(parts.map((p) => p.length)));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The HF row that paired-layout row r of a rotary weight holds: HF row j*half+i sits at 2i+j within each head. */
function hfRowOfPairedRow(r: number, headDim: number): number {
  const within = r % headDim;
  return r - within + (within % 2) * (headDim / 2) + (within >> 1);
}

/**
 * Paired order -> HF order, in place, on stored rows of `rowBytes` bytes: whole rows move, so this
 * works on quantized matrices too (a bias is rows of one F32). One head of scratch.
 */
function unpermuteRotaryRows(bytes: Uint8Array, heads: number, headDim: number, rowBytes: number): void {
  const head = new Uint8Array(headDim * rowBytes);
  for (let hd = 0; hd < heads; hd++) {
    const base = hd * headDim * rowBytes;
    head.set(bytes.subarray(base, base + headDim * rowBytes));
    for (let r = 0; r < headDim; r++)
      bytes.set(
        head.subarray(r * rowBytes, (r + 1) * rowBytes),
        base + hfRowOfPairedRow(r, headDim) * rowBytes,
      );
  }
}
