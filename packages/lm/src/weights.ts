import { PvaError } from "@pva/core";
import {
  assertFiniteStored,
  elementCount,
  failModelFile,
  READ_CHUNK_BYTES,
  type StoredTensor,
  type TensorStore,
} from "./formats/tensor-store.js";
import type { ComputeBackend } from "./kernels/index.js";
import {
  WEIGHT_TYPE_LAYOUT,
  type WeightMatrix,
  type WeightType,
  weightRowBytes,
} from "./kernels/weight-matrix.js";
import { decodeRows, encodeRows } from "./weight-codecs/weight-codec.js";

/**
 * The weights of one model in Hugging Face orientation: every linear weight is [out, in]
 * (rows = output features), Q/K rows in HF's "two halves per head" rotary layout, whatever file
 * they came from. Linear weights keep the type they are stored in where the backend reads it
 * (see memoryWeightType); norms, biases and position embeddings are F32 vectors.
 */
export interface LayerWeights {
  attnNorm: Float32Array;
  attnNormBias: Float32Array | null;
  wq: WeightMatrix;
  wk: WeightMatrix;
  wv: WeightMatrix;
  wo: WeightMatrix;
  bq: Float32Array | null;
  bk: Float32Array | null;
  bv: Float32Array | null;
  bo: Float32Array | null;
  /** Per-head RMSNorm gains for queries and keys, [headDim] (config.qkNorm). */
  qNorm: Float32Array | null;
  kNorm: Float32Array | null;
  /** The norm on attention's output before its residual add (config.postNorms). */
  attnPostNorm: Float32Array | null;
  mlpNorm: Float32Array;
  mlpNormBias: Float32Array | null;
  /** The gate of a gated MLP (SwiGLU); null for a plain GELU MLP. */
  wGate: WeightMatrix | null;
  wUp: WeightMatrix;
  wDown: WeightMatrix;
  bGate: Float32Array | null;
  bUp: Float32Array | null;
  bDown: Float32Array | null;
  /** The norm on the MLP's output before its residual add (config.postNorms). */
  mlpPostNorm: Float32Array | null;
}

export interface ModelWeights {
  /** [vocab, hidden]; the embedding of token t is row t (decoded per lookup). */
  tokenEmbedding: WeightMatrix;
  positionEmbedding: Float32Array | null;
  layers: LayerWeights[];
  finalNorm: Float32Array;
  finalNormBias: Float32Array | null;
  /** [vocab, hidden]; the same matrix as tokenEmbedding when embeddings are tied. */
  lmHead: WeightMatrix;
}

/** Weight types a model can be quantized to while loading (`loadModel(src, { quantize })`). */
export type QuantizeType = "q8_0" | "q4_0" | "q4_k" | "q5_k" | "q6_k";

/**
 * The type a stored linear weight has in memory: quantized to `quantize` if asked and it is
 * stored as a float type (quantized weights are never re-quantized) whose rows split into that
 * type's blocks; then kept as is if the backend's matmul reads that type, else decoded to F32.
 */
export function memoryWeightType(
  stored: WeightType,
  cols: number,
  backendTypes: ReadonlySet<WeightType>,
  quantize?: QuantizeType,
): WeightType {
  let type = stored;
  const isFloat = stored === "f32" || stored === "f16" || stored === "bf16";
  if (quantize && isFloat && cols % WEIGHT_TYPE_LAYOUT[quantize].blockElements === 0) type = quantize;
  return backendTypes.has(type) ? type : "f32";
}

export interface WeightReaderOptions {
  quantize?: QuantizeType;
  /** Called with the stored bytes of each chunk as it is read (for a load progress bar). */
  onBytes?: (bytes: number) => void;
}

/** Reads tensors by name into backend memory, checking each one's shape against the config. */
export class WeightReader {
  constructor(
    readonly store: TensorStore,
    private readonly backend: ComputeBackend,
    private readonly opts: WeightReaderOptions = {},
  ) {}

  has(name: string): boolean {
    return this.store.info(name) !== undefined;
  }

  /** Reads a vector (or any small tensor) into backend memory as F32; it must have exactly `shape`. */
  async read(name: string, shape: number[]): Promise<Float32Array> {
    const info = this.checkShape(name, shape);
    const out = this.alloc(elementCount(shape));
    await this.store.readInto(name, out);
    this.opts.onBytes?.(storedBytes(info));
    return out;
  }

  /**
   * Reads a [rows, cols] linear weight into backend memory in its memory type, a chunk of rows at
   * a time: straight into the matrix when the type is kept, else decoded (and re-encoded) per
   * chunk, so the tensor never sits in memory twice. `rowRange` reads only rows [from, to).
   */
  async readMatrix(
    name: string,
    shape: [number, number],
    rowRange?: [number, number],
  ): Promise<WeightMatrix> {
    const info = this.checkShape(name, shape);
    const stored = this.weightTypeOf(info);
    const [from, to] = rowRange ?? [0, shape[0]];
    const cols = shape[1];
    const rows = to - from;
    const target = memoryWeightType(stored, cols, this.backend.weightTypes, this.opts.quantize);
    const matrix = this.backend.allocWeights(target, rows, cols);
    const storedRowBytes = weightRowBytes(stored, cols);
    const targetRowBytes = weightRowBytes(target, cols);
    const step = Math.max(1, Math.floor(READ_CHUNK_BYTES / Math.max(storedRowBytes, cols * 4)));
    const raw = target === stored ? null : new Uint8Array(Math.min(step, rows) * storedRowBytes);
    const decoded = target === stored ? null : new Float32Array(Math.min(step, rows) * cols);
    for (let first = 0; first < rows; first += step) {
      const n = Math.min(step, rows - first);
      const bytes = raw
        ? raw.subarray(0, n * storedRowBytes)
        : matrix.data.subarray(first * targetRowBytes, (first + n) * targetRowBytes);
      await this.store.readBytes(name, (from + first) * storedRowBytes, bytes);
      assertFiniteStored(stored, bytes, 0, n * cols, this.store.source, name, (from + first) * cols);
      if (decoded) {
        decodeRows(stored, bytes, 0, n, cols, decoded);
        encodeRows(target, decoded, 0, n, cols, matrix.data, first * targetRowBytes);
      }
      this.opts.onBytes?.(bytes.length);
    }
    return matrix;
  }

  /**
   * Reads a stored [rows, cols] tensor as the transposed [cols, rows] matrix (GPT-2's Conv1D
   * weights), keeping only output rows [from, to) if given. Goes through one F32 copy of the
   * stored tensor.
   */
  async readMatrixTransposed(
    name: string,
    storedShape: [number, number],
    rowRange?: [number, number],
  ): Promise<WeightMatrix> {
    const info = this.checkShape(name, storedShape);
    const stored = this.weightTypeOf(info);
    const scratch = await this.readScratch(name, storedShape);
    const [inDim, outDim] = storedShape;
    const [from, to] = rowRange ?? [0, outDim];
    const target = memoryWeightType(stored, inDim, this.backend.weightTypes, this.opts.quantize);
    const matrix = this.backend.allocWeights(target, to - from, inDim);
    const rowBytes = weightRowBytes(target, inDim);
    const row = new Float32Array(inDim);
    for (let o = from; o < to; o++) {
      for (let i = 0; i < inDim; i++) row[i] = scratch[i * outDim + o];
      encodeRows(target, row, 0, 1, inDim, matrix.data, (o - from) * rowBytes);
    }
    return matrix;
  }

  /** Reads into temporary F32 memory, for vectors that must be rearranged or split before use. */
  async readScratch(name: string, shape: number[]): Promise<Float32Array> {
    const info = this.checkShape(name, shape);
    const out = new Float32Array(elementCount(shape));
    await this.store.readInto(name, out);
    this.opts.onBytes?.(storedBytes(info));
    return out;
  }

  /** Zeroed backend memory for a vector assembled here. */
  alloc(length: number): Float32Array {
    return this.backend.allocF32(length);
  }

  copyToBackend(values: Float32Array): Float32Array {
    const out = this.alloc(values.length);
    out.set(values);
    return out;
  }

  private weightTypeOf(info: StoredTensor): WeightType {
    if (info.weightType === undefined)
      failModelFile(this.store.source, `tensor ${info.name}`, `type ${info.dtype} is not supported`);
    return info.weightType;
  }

  private checkShape(name: string, shape: number[]): StoredTensor {
    const info = this.store.info(name);
    if (!info) throw new PvaError(`${this.store.source}: tensor ${name}: missing`, "E_MODEL_FILE");
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i]))
      throw new PvaError(
        `${this.store.source}: tensor ${name}: shape ${JSON.stringify(info.shape)}, expected ${JSON.stringify(shape)}`,
        "E_MODEL_FILE",
      );
    return info;
  }
}

/** Bytes a tensor takes in its file. */
export function storedBytes(info: StoredTensor): number {
  if (info.weightType === undefined) return 0;
  const { blockElements, blockBytes } = WEIGHT_TYPE_LAYOUT[info.weightType];
  return (elementCount(info.shape) / blockElements) * blockBytes;
}
