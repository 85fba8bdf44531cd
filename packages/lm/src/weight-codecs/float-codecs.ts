import { decodeBf16, decodeF16, encodeBf16, encodeF16 } from "../formats/half-float.js";
import type { BlockCodec } from "./block-codec.js";

/** F32, F16 and BF16 as codecs whose "blocks" are single little-endian values. */

export const f32Codec: BlockCodec = {
  decode(src, srcOffset, count, out, outOffset) {
    new Uint8Array(out.buffer, out.byteOffset + outOffset * 4, count * 4).set(
      src.subarray(srcOffset, srcOffset + count * 4),
    );
  },
  encode(values, valuesOffset, count, dst, dstOffset) {
    dst.set(new Uint8Array(values.buffer, values.byteOffset + valuesOffset * 4, count * 4), dstOffset);
  },
  firstNonFinite(src, srcOffset, count) {
    // Exponent all ones: bits 23-30, i.e. the low 7 bits of byte 3 and the top bit of byte 2.
    for (let i = 0; i < count; i++) {
      const o = srcOffset + 4 * i;
      if ((src[o + 3] & 0x7f) === 0x7f && src[o + 2] & 0x80) return i;
    }
    return -1;
  },
};

export const f16Codec: BlockCodec = {
  decode(src, srcOffset, count, out, outOffset) {
    decodeF16(src.subarray(srcOffset), out, outOffset, count);
  },
  encode(values, valuesOffset, count, dst, dstOffset) {
    for (let i = 0; i < count; i++) {
      const half = encodeF16(values[valuesOffset + i]);
      dst[dstOffset + 2 * i] = half & 0xff;
      dst[dstOffset + 2 * i + 1] = half >> 8;
    }
  },
  firstNonFinite(src, srcOffset, count) {
    for (let i = 0; i < count; i++) if ((src[srcOffset + 2 * i + 1] & 0x7c) === 0x7c) return i;
    return -1;
  },
};

export const bf16Codec: BlockCodec = {
  decode(src, srcOffset, count, out, outOffset) {
    decodeBf16(src.subarray(srcOffset), out, outOffset, count);
  },
  encode(values, valuesOffset, count, dst, dstOffset) {
    for (let i = 0; i < count; i++) {
      const half = encodeBf16(values[valuesOffset + i]);
      dst[dstOffset + 2 * i] = half & 0xff;
      dst[dstOffset + 2 * i + 1] = half >> 8;
    }
  },
  firstNonFinite(src, srcOffset, count) {
    for (let i = 0; i < count; i++) {
      const o = srcOffset + 2 * i;
      if ((src[o + 1] & 0x7f) === 0x7f && src[o] & 0x80) return i;
    }
    return -1;
  },
};
