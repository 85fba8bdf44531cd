/**
 * Decoding and encoding of one weight type's blocks (ggml's layouts, see kernels/weight-matrix.ts).
 * Offsets are in values for Float32Arrays and in bytes for Uint8Arrays; counts are in blocks.
 */
export interface BlockCodec {
  decode(src: Uint8Array, srcOffset: number, blocks: number, out: Float32Array, outOffset: number): void;
  /** ggml's reference quantizer (`quantize_row_*_ref`, no importance matrix), or plain rounding for 16-bit types. */
  encode(
    values: Float32Array,
    valuesOffset: number,
    blocks: number,
    dst: Uint8Array,
    dstOffset: number,
  ): void;
  /**
   * The first block (counted from srcOffset) that decodes to a NaN or infinity, or -1. For the
   * quantized types only the f16 scales can be non-finite, so this reads a few bytes per block.
   */
  firstNonFinite(src: Uint8Array, srcOffset: number, blocks: number): number;
}

/** firstNonFinite for block types whose only floats are f16 fields at these byte offsets. */
export function nonFiniteHalves(
  blockBytes: number,
  halfOffsets: readonly number[],
): BlockCodec["firstNonFinite"] {
  return (src, srcOffset, blocks) => {
    for (let b = 0; b < blocks; b++) {
      const base = srcOffset + b * blockBytes;
      for (const o of halfOffsets) if ((src[base + o + 1] & 0x7c) === 0x7c) return b;
    }
    return -1;
  };
}
