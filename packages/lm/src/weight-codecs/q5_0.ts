import { encodeF16, f16DecodeTable } from "../formats/half-float.js";
import { type BlockCodec, nonFiniteHalves } from "./block-codec.js";
import { f, halfBits, writeHalfBits } from "./ggml-float.js";

/**
 * block_q5_0: f16 d, a little-endian u32 of fifth bits (bit j for value j), 16 bytes of nibbles
 * laid out as in Q4_0; value = (q - 16) * d. llama.cpp's Q4_K_M writes it for tensors whose rows
 * are not a multiple of 256.
 */
const BYTES = 22;

export const q5_0Codec: BlockCodec = {
  decode(src, srcOffset, blocks, out, outOffset) {
    const half = f16DecodeTable();
    for (let b = 0; b < blocks; b++) {
      const base = srcOffset + b * BYTES;
      const d = half[halfBits(src, base)];
      const qh = (src[base + 2] | (src[base + 3] << 8) | (src[base + 4] << 16) | (src[base + 5] << 24)) >>> 0;
      const o = outOffset + b * 32;
      for (let j = 0; j < 16; j++) {
        const q = src[base + 6 + j];
        out[o + j] = (((q & 0xf) | (((qh >>> j) & 1) << 4)) - 16) * d;
        out[o + j + 16] = (((q >> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16) * d;
      }
    }
  },
  // quantize_row_q5_0_ref: d = max / -16.
  encode(values, valuesOffset, blocks, dst, dstOffset) {
    for (let b = 0; b < blocks; b++) {
      const x = valuesOffset + b * 32;
      let amax = 0;
      let max = 0;
      for (let i = 0; i < 32; i++) {
        const v = values[x + i];
        if (amax < Math.abs(v)) {
          amax = Math.abs(v);
          max = v;
        }
      }
      const d = f(max / -16);
      const id = d ? f(1 / d) : 0;
      const base = dstOffset + b * BYTES;
      writeHalfBits(dst, base, encodeF16(d));
      let qh = 0;
      for (let j = 0; j < 16; j++) {
        const lo = Math.min(31, Math.trunc(f(f(values[x + j] * id) + 16.5)));
        const hi = Math.min(31, Math.trunc(f(f(values[x + j + 16] * id) + 16.5)));
        dst[base + 6 + j] = (lo & 0xf) | ((hi & 0xf) << 4);
        qh |= ((lo >> 4) << j) | ((hi >> 4) << (j + 16));
      }
      dst[base + 2] = qh & 0xff;
      dst[base + 3] = (qh >>> 8) & 0xff;
      dst[base + 4] = (qh >>> 16) & 0xff;
      dst[base + 5] = (qh >>> 24) & 0xff;
    }
  },
  firstNonFinite: nonFiniteHalves(BYTES, [0]),
};
