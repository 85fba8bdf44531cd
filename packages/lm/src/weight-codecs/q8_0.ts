import { encodeF16, f16DecodeTable } from "../formats/half-float.js";
import { type BlockCodec, nonFiniteHalves } from "./block-codec.js";
import { f, halfBits, writeHalfBits } from "./ggml-float.js";

/** block_q8_0: f16 d, then 32 int8 q; value = q * d. */
const BYTES = 34;

export const q8_0Codec: BlockCodec = {
  decode(src, srcOffset, blocks, out, outOffset) {
    const half = f16DecodeTable();
    for (let b = 0; b < blocks; b++) {
      const base = srcOffset + b * BYTES;
      const d = half[halfBits(src, base)];
      const o = outOffset + b * 32;
      for (let i = 0; i < 32; i++) out[o + i] = d * ((src[base + 2 + i] << 24) >> 24);
    }
  },
  // quantize_row_q8_0_ref: d = max|x| / 127, q = roundf(x / d).
  encode(values, valuesOffset, blocks, dst, dstOffset) {
    for (let b = 0; b < blocks; b++) {
      const x = valuesOffset + b * 32;
      let amax = 0;
      for (let i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(values[x + i]));
      const d = f(amax / 127);
      const id = d ? f(1 / d) : 0;
      const base = dstOffset + b * BYTES;
      writeHalfBits(dst, base, encodeF16(d));
      for (let i = 0; i < 32; i++) {
        const v = f(values[x + i] * id);
        // C roundf: halves away from zero.
        dst[base + 2 + i] = (Math.sign(v) * Math.round(Math.abs(v))) & 0xff;
      }
    }
  },
  firstNonFinite: nonFiniteHalves(BYTES, [0]),
};
