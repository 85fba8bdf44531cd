import { encodeF16, f16DecodeTable } from "../formats/half-float.js";
import { type BlockCodec, nonFiniteHalves } from "./block-codec.js";
import { f, halfBits, writeHalfBits } from "./ggml-float.js";

/**
 * block_q5_1: f16 d, f16 m, a u32 of fifth bits, 16 bytes of nibbles (as Q5_0); value = q * d + m.
 * llama.cpp's Q5_K_M writes it for tensors whose rows are not a multiple of 256.
 */
const BYTES = 24;

export const q5_1Codec: BlockCodec = {
  decode(src, srcOffset, blocks, out, outOffset) {
    const half = f16DecodeTable();
    for (let b = 0; b < blocks; b++) {
      const base = srcOffset + b * BYTES;
      const d = half[halfBits(src, base)];
      const m = half[halfBits(src, base + 2)];
      const qh = (src[base + 4] | (src[base + 5] << 8) | (src[base + 6] << 16) | (src[base + 7] << 24)) >>> 0;
      const o = outOffset + b * 32;
      for (let j = 0; j < 16; j++) {
        const q = src[base + 8 + j];
        out[o + j] = f(((q & 0xf) | (((qh >>> j) & 1) << 4)) * d) + m;
        out[o + j + 16] = f(((q >> 4) | (((qh >>> (j + 16)) & 1) << 4)) * d) + m;
      }
    }
  },
  // quantize_row_q5_1_ref: d = (max - min) / 31, m = min.
  encode(values, valuesOffset, blocks, dst, dstOffset) {
    for (let b = 0; b < blocks; b++) {
      const x = valuesOffset + b * 32;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < 32; i++) {
        const v = values[x + i];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const d = f(f(max - min) / 31);
      const id = d ? f(1 / d) : 0;
      const base = dstOffset + b * BYTES;
      writeHalfBits(dst, base, encodeF16(d));
      writeHalfBits(dst, base + 2, encodeF16(min));
      let qh = 0;
      for (let j = 0; j < 16; j++) {
        // (uint8_t)(x + 0.5f) truncates; x >= 0 here.
        const lo = Math.trunc(f(f(f(values[x + j] - min) * id) + 0.5)) & 0xff;
        const hi = Math.trunc(f(f(f(values[x + j + 16] - min) * id) + 0.5)) & 0xff;
        dst[base + 8 + j] = (lo & 0xf) | ((hi & 0xf) << 4);
        qh |= (((lo & 0x10) >> 4) << j) | (((hi & 0x10) >> 4) << (j + 16));
      }
      dst[base + 4] = qh & 0xff;
      dst[base + 5] = (qh >>> 8) & 0xff;
      dst[base + 6] = (qh >>> 16) & 0xff;
      dst[base + 7] = (qh >>> 24) & 0xff;
    }
  },
  firstNonFinite: nonFiniteHalves(BYTES, [0, 2]),
};
