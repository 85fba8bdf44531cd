import {
  WEIGHT_TYPE_LAYOUT,
  type WeightMatrix,
  type WeightType,
  weightRowBytes,
} from "../kernels/weight-matrix.js";
import type { BlockCodec } from "./block-codec.js";
import { bf16Codec, f16Codec, f32Codec } from "./float-codecs.js";
import { q4_0Codec } from "./q4_0.js";
import { q4_kCodec } from "./q4_k.js";
import { q5_0Codec } from "./q5_0.js";
import { q5_1Codec } from "./q5_1.js";
import { q5_kCodec } from "./q5_k.js";
import { q6_kCodec } from "./q6_k.js";
import { q8_0Codec } from "./q8_0.js";

/** Row-level decoding and encoding of every weight type, over the per-type block codecs. */

const CODECS: Readonly<Record<WeightType, BlockCodec>> = {
  f32: f32Codec,
  f16: f16Codec,
  bf16: bf16Codec,
  q8_0: q8_0Codec,
  q4_0: q4_0Codec,
  q5_0: q5_0Codec,
  q5_1: q5_1Codec,
  q4_k: q4_kCodec,
  q5_k: q5_kCodec,
  q6_k: q6_kCodec,
};

/**
 * Decodes `count` rows of `cols` values stored as `type` (starting at byte `srcOffset`) into
 * `out` from value `outOffset`.
 */
export function decodeRows(
  type: WeightType,
  src: Uint8Array,
  srcOffset: number,
  count: number,
  cols: number,
  out: Float32Array,
  outOffset = 0,
): void {
  const blocks = (count * cols) / WEIGHT_TYPE_LAYOUT[type].blockElements;
  weightRowBytes(type, cols);
  CODECS[type].decode(src, srcOffset, blocks, out, outOffset);
}

/** Rows [firstRow, firstRow + count) of a matrix as F32 values, into `out` from `outOffset`. */
export function decodeMatrixRows(
  matrix: WeightMatrix,
  firstRow: number,
  count: number,
  out: Float32Array,
  outOffset = 0,
): void {
  if (firstRow < 0 || firstRow + count > matrix.rows)
    throw new RangeError(`decodeMatrixRows: rows ${firstRow}..${firstRow + count} of ${matrix.rows}`);
  const rowBytes = weightRowBytes(matrix.type, matrix.cols);
  decodeRows(matrix.type, matrix.data, firstRow * rowBytes, count, matrix.cols, out, outOffset);
}

/** Encodes `count` rows of `cols` values (from `values[valuesOffset]`) as `type` into `dst` at byte `dstOffset`. */
export function encodeRows(
  type: WeightType,
  values: Float32Array,
  valuesOffset: number,
  count: number,
  cols: number,
  dst: Uint8Array,
  dstOffset = 0,
): void {
  const blocks = (count * cols) / WEIGHT_TYPE_LAYOUT[type].blockElements;
  weightRowBytes(type, cols);
  CODECS[type].encode(values, valuesOffset, blocks, dst, dstOffset);
}

/**
 * The first element (counted from srcOffset, in values) of stored rows that decodes to NaN or
 * infinity, or -1; for block types the first element of the first such block.
 */
export function firstNonFiniteValue(
  type: WeightType,
  src: Uint8Array,
  srcOffset: number,
  values: number,
): number {
  const { blockElements } = WEIGHT_TYPE_LAYOUT[type];
  const block = CODECS[type].firstNonFinite(src, srcOffset, values / blockElements);
  return block < 0 ? -1 : block * blockElements;
}
