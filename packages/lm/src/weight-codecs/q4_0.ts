import { encodeF16, f16DecodeTable } from "../formats/half-float.js";
import { type BlockCodec, nonFiniteHalves } from "./block-codec.js";
import { f, halfBits, writeHalfBits } from "./ggml-float.js";

/**
 * block_q4_0: f16 d, then 16 bytes; byte j holds value j in its low nibble and value j + 16 in
 * its high nibble; value = (q - 8) * d.
 */
const BYTES = 18;

export const q4_0Codec: BlockCodec = {
  decode(src, srcOffset, blocks, out, outOffset) {
    const half = f16DecodeTable();
    for (let b = 0; b < blocks; b++) {
      const base = srcOffset + b * BYTES;
      const d = half[halfBits(src, base)];
      const o = outOffset + b * 32;
      for (let j = 0; j < 16; j++) {
        const q = src[base + 2 + j];
        out[o + j] = ((q & 0xf) - 8) * d;
        out[o + j + 16] = ((q >> 4) - 8) * d;
      }
    }
  },
  // quantize_row_q4_0_ref: d = max / -8 with max the signed value of largest magnitude.
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
      const d = f(max / -8);
      const id = d ? f(1 / d) : 0;
      const base = dstOffset + b * BYTES;
      writeHalfBits(dst, base, encodeF16(d));
      for (let j = 0; j < 16; j++) {
        // (int8_t)(x + 8.5f) truncates toward zero.
        const lo = Math.min(15, Math.trunc(f(f(values[x + j] * id) + 8.5)));
        const hi = Math.min(15, Math.trunc(f(f(values[x + j + 16] * id) + 8.5)));
        dst[base + 2 + j] = lo | (hi << 4);
      }
    }
  },
  firstNonFinite: nonFiniteHalves(BYTES, [0]),
};
