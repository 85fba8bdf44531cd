/**
 * A linear layer's weights as they are stored: ggml's block layout, row after row. The matmul
 * kernels read this form directly (decoding inside the kernel), so an 8B model quantized to 4-5
 * bits per weight needs 4-5 GB rather than the 32 GB of F32.
 *
 * A row is one output feature; its `cols` input features are packed into blocks of
 * `blockElements` values taking `blockBytes` bytes each (ggml's `block_q8_0`, `block_q4_K`, ...),
 * so a row takes `cols / blockElements * blockBytes` bytes and rows never share a block. That is
 * what lets a loader permute or split rows of a quantized matrix by moving bytes.
 */

export type WeightType =
  | "f32"
  | "f16"
  | "bf16"
  | "q8_0"
  | "q4_0"
  | "q5_0"
  | "q5_1"
  | "q4_k"
  | "q5_k"
  | "q6_k";

export interface WeightMatrix {
  readonly type: WeightType;
  /** Output features (the matmul's outDim). */
  readonly rows: number;
  /** Input features (the matmul's inDim). */
  readonly cols: number;
  /** rows x weightRowBytes(type, cols) bytes, in the backend's memory. */
  readonly data: Uint8Array;
}

export interface WeightTypeLayout {
  /** Values per block. */
  blockElements: number;
  /** Bytes per block. */
  blockBytes: number;
  /** ggml's name, as GGUF tools print it. */
  ggmlName: string;
}

/** Block sizes from ggml-common.h (QK8_0 = QK4_0 = QK5_0 = QK5_1 = 32, QK_K = 256). */
export const WEIGHT_TYPE_LAYOUT: Readonly<Record<WeightType, WeightTypeLayout>> = {
  f32: { blockElements: 1, blockBytes: 4, ggmlName: "F32" },
  f16: { blockElements: 1, blockBytes: 2, ggmlName: "F16" },
  bf16: { blockElements: 1, blockBytes: 2, ggmlName: "BF16" },
  // f16 d, 32 x int8
  q8_0: { blockElements: 32, blockBytes: 34, ggmlName: "Q8_0" },
  // f16 d, 16 bytes of nibbles
  q4_0: { blockElements: 32, blockBytes: 18, ggmlName: "Q4_0" },
  // f16 d, 4 bytes of fifth bits, 16 bytes of nibbles
  q5_0: { blockElements: 32, blockBytes: 22, ggmlName: "Q5_0" },
  // f16 d, f16 m, 4 bytes of fifth bits, 16 bytes of nibbles
  q5_1: { blockElements: 32, blockBytes: 24, ggmlName: "Q5_1" },
  // f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles
  q4_k: { blockElements: 256, blockBytes: 144, ggmlName: "Q4_K" },
  // q4_k's fields plus 32 bytes of fifth bits
  q5_k: { blockElements: 256, blockBytes: 176, ggmlName: "Q5_K" },
  // 128 bytes of low nibbles, 64 bytes of high 2-bit parts, 16 int8 scales, f16 d
  q6_k: { blockElements: 256, blockBytes: 210, ggmlName: "Q6_K" },
};

export const WEIGHT_TYPES = Object.keys(WEIGHT_TYPE_LAYOUT) as readonly WeightType[];

export function isWeightType(value: unknown): value is WeightType {
  return typeof value === "string" && Object.hasOwn(WEIGHT_TYPE_LAYOUT, value);
}

/** Bytes of one row of `cols` values; cols must be a whole number of blocks. */
export function weightRowBytes(type: WeightType, cols: number): number {
  const { blockElements, blockBytes } = WEIGHT_TYPE_LAYOUT[type];
  if (cols % blockElements !== 0)
    throw new RangeError(
      `${type}: a row of ${cols} values is not a whole number of ${blockElements}-value blocks`,
    );
  return (cols / blockElements) * blockBytes;
}

export function weightMatrixBytes(type: WeightType, rows: number, cols: number): number {
  return rows * weightRowBytes(type, cols);
}

/** A matrix over plain F32 values (tests, and weights assembled in memory). */
export function f32WeightMatrix(values: Float32Array, rows: number, cols: number): WeightMatrix {
  if (values.length !== rows * cols)
    throw new RangeError(`f32WeightMatrix: ${values.length} values for ${rows}x${cols}`);
  return {
    type: "f32",
    rows,
    cols,
    data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}

/** The F32 values of an f32 matrix without copying when its bytes are 4-aligned (they are when a backend allocated them). */
export function f32Values(matrix: WeightMatrix): Float32Array {
  if (matrix.type !== "f32") throw new RangeError(`f32Values: matrix is ${matrix.type}`);
  const count = matrix.rows * matrix.cols;
  const { data } = matrix;
  if (data.byteOffset % 4 === 0) return new Float32Array(data.buffer, data.byteOffset, count);
  const copy = new Float32Array(count);
  new Uint8Array(copy.buffer).set(data.subarray(0, count * 4));
  return copy;
}
