import { f16DecodeTable } from "../formats/half-float.js";
import { type BlockCodec, nonFiniteHalves } from "./block-codec.js";
import { f, halfBits } from "./ggml-float.js";
import { scaleMinK4 } from "./k-quant-search.js";
import { encodeQ4OrQ5K } from "./q4_k.js";

/**
 * block_q5_K: Q4_K's f16 d, f16 dmin and 12 scale bytes, then 32 bytes of fifth bits, then 128
 * bytes of nibbles laid out as in Q4_K. Chunk c (64 values) takes its fifth bits from bit 2c
 * (first 32 values) and bit 2c + 1 (next 32) of qh[l].
 */
const BYTES = 176;

export const q5_kCodec: BlockCodec = {
  decode(src, srcOffset, blocks, out, outOffset) {
    const half = f16DecodeTable();
    const sm = new Uint8Array(2);
    for (let b = 0; b < blocks; b++) {
      const base = srcOffset + b * BYTES;
      const d = half[halfBits(src, base)];
      const dmin = half[halfBits(src, base + 2)];
      const qh = base + 16;
      let o = outOffset + b * 256;
      for (let chunk = 0; chunk < 4; chunk++) {
        const ql = base + 48 + chunk * 32;
        scaleMinK4(2 * chunk, src, base + 4, sm);
        const d1 = f(d * sm[0]);
        const m1 = f(dmin * sm[1]);
        scaleMinK4(2 * chunk + 1, src, base + 4, sm);
        const d2 = f(d * sm[0]);
        const m2 = f(dmin * sm[1]);
        const u1 = 1 << (2 * chunk);
        const u2 = 2 << (2 * chunk);
        for (let l = 0; l < 32; l++)
          out[o + l] = f(d1 * ((src[ql + l] & 0xf) + (src[qh + l] & u1 ? 16 : 0))) - m1;
        for (let l = 0; l < 32; l++)
          out[o + 32 + l] = f(d2 * ((src[ql + l] >> 4) + (src[qh + l] & u2 ? 16 : 0))) - m2;
        o += 64;
      }
    }
  },
  encode(values, valuesOffset, blocks, dst, dstOffset) {
    encodeQ4OrQ5K(values, valuesOffset, blocks, dst, dstOffset, 31);
  },
  firstNonFinite: nonFiniteHalves(BYTES, [0, 2]),
};
