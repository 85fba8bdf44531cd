import { PvaError } from "@pva/core";
import { elementCount, type TensorStore } from "./formats/tensor-store.js";
import type { ComputeBackend } from "./kernels/index.js";

/**
 * The weights of one model in Hugging Face orientation: every linear weight is [out, in]
 * row-major, Q/K rows in HF's "two halves per head" rotary layout, whatever file they came from.
 */
export interface LayerWeights {
  attnNorm: Float32Array;
  attnNormBias: Float32Array | null;
  wq: Float32Array;
  wk: Float32Array;
  wv: Float32Array;
  wo: Float32Array;
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
  wGate: Float32Array | null;
  wUp: Float32Array;
  wDown: Float32Array;
  bGate: Float32Array | null;
  bUp: Float32Array | null;
  bDown: Float32Array | null;
  /** The norm on the MLP's output before its residual add (config.postNorms). */
  mlpPostNorm: Float32Array | null;
}

export interface ModelWeights {
  tokenEmbedding: Float32Array;
  positionEmbedding: Float32Array | null;
  layers: LayerWeights[];
  finalNorm: Float32Array;
  finalNormBias: Float32Array | null;
  /** [vocab, hidden]; the same array as tokenEmbedding when embeddings are tied. */
  lmHead: Float32Array;
}

/** Reads tensors by name into backend memory, checking each one's shape against the config. */
export class WeightReader {
  constructor(
    readonly store: TensorStore,
    private readonly backend: ComputeBackend,
  ) {}

  has(name: string): boolean {
    return this.store.info(name) !== undefined;
  }

  /** Reads `name` into backend memory; it must have exactly `shape`. */
  async read(name: string, shape: number[]): Promise<Float32Array> {
    this.checkShape(name, shape);
    const out = this.alloc(elementCount(shape));
    await this.store.readInto(name, out);
    return out;
  }

  /** Reads a stored [rows, cols] tensor and returns it transposed to [cols, rows] (GPT-2 Conv1D). */
  async readTransposed(name: string, storedShape: [number, number]): Promise<Float32Array> {
    const stored = await this.readScratch(name, storedShape);
    const [rows, cols] = storedShape;
    const out = this.alloc(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = stored[r * cols + c];
    return out;
  }

  /** Reads into temporary memory, for tensors that must be rearranged or split before use. */
  async readScratch(name: string, shape: number[]): Promise<Float32Array> {
    this.checkShape(name, shape);
    const out = new Float32Array(elementCount(shape));
    await this.store.readInto(name, out);
    return out;
  }

  /** Zeroed backend memory for a weight assembled here. */
  alloc(length: number): Float32Array {
    return this.backend.allocF32(length);
  }

  copyToBackend(values: Float32Array): Float32Array {
    const out = this.alloc(values.length);
    out.set(values);
    return out;
  }

  private checkShape(name: string, shape: number[]): void {
    const info = this.store.info(name);
    if (!info) throw new PvaError(`${this.store.source}: tensor ${name}: missing`, "E_MODEL_FILE");
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i]))
      throw new PvaError(
        `${this.store.source}: tensor ${name}: shape ${JSON.stringify(info.shape)}, expected ${JSON.stringify(shape)}`,
        "E_MODEL_FILE",
      );
  }
}
