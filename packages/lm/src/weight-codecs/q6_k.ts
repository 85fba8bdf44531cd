import { encodeF16, f16DecodeTable } from "../formats/half-float.js";
import { type BlockCodec, nonFiniteHalves } from "./block-codec.js";
import { f, GROUP_MAX_EPS, halfBits, nearestInt, writeHalfBits } from "./ggml-float.js";
import { makeQxQuants } from "./k-quant-search.js";

/**
 * block_q6_K, 256 values in 16 sub-blocks of 16: ql (128 bytes of low nibbles), qh (64 bytes of
 * 2-bit high parts), 16 int8 scales, f16 d. Each half (128 values) uses 64 ql and 32 qh bytes:
 * value l + 32k (k = 0..3) takes the low nibble (k = 0, 1) or high nibble (k = 2, 3) of
 * ql[l + 32 (k & 1)] and bits 2k..2k+1 of qh[l]. value = d * scale * (q - 32).
 */
const BYTES = 210;
const SCALES = 192;
const D = 208;

export const q6_kCodec: BlockCodec = {
  decode(src, srcOffset, blocks, out, outOffset) {
    const half = f16DecodeTable();
    for (let b = 0; b < blocks; b++) {
      const base = srcOffset + b * BYTES;
      const d = half[halfBits(src, base + D)];
      for (let n = 0; n < 2; n++) {
        const ql = base + 64 * n;
        const qh = base + 128 + 32 * n;
        const sc = base + SCALES + 8 * n;
        const o = outOffset + b * 256 + 128 * n;
        for (let l = 0; l < 32; l++) {
          const is = l >> 4;
          const h = src[qh + l];
          const q1 = ((src[ql + l] & 0xf) | ((h & 3) << 4)) - 32;
          const q2 = ((src[ql + l + 32] & 0xf) | (((h >> 2) & 3) << 4)) - 32;
          const q3 = ((src[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
          const q4 = ((src[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
          out[o + l] = f(d * ((src[sc + is] << 24) >> 24)) * q1;
          out[o + l + 32] = f(d * ((src[sc + is + 2] << 24) >> 24)) * q2;
          out[o + l + 64] = f(d * ((src[sc + is + 4] << 24) >> 24)) * q3;
          out[o + l + 96] = f(d * ((src[sc + is + 6] << 24) >> 24)) * q4;
        }
      }
    }
  },
  // quantize_row_q6_K_ref.
  encode(values, valuesOffset, blocks, dst, dstOffset) {
    const L = new Int8Array(256);
    const scales = new Float32Array(16);
    const half = f16DecodeTable();
    for (let b = 0; b < blocks; b++) {
      const x = valuesOffset + b * 256;
      const base = dstOffset + b * BYTES;
      let maxScale = 0;
      let maxAbsScale = 0;
      for (let ib = 0; ib < 16; ib++) {
        const scale = makeQxQuants(16, 32, values, x + 16 * ib, L, 16 * ib);
        scales[ib] = scale;
        if (Math.abs(scale) > maxAbsScale) {
          maxAbsScale = Math.abs(scale);
          maxScale = scale;
        }
      }
      if (maxAbsScale < GROUP_MAX_EPS) {
        dst.fill(0, base, base + BYTES);
        continue;
      }
      const iscale = f(-128 / maxScale);
      const dBits = encodeF16(f(1 / iscale));
      writeHalfBits(dst, base + D, dBits);
      for (let ib = 0; ib < 16; ib++)
        dst[base + SCALES + ib] = Math.min(127, nearestInt(f(iscale * scales[ib]))) & 0xff;
      for (let j = 0; j < 16; j++) {
        const d = f(half[dBits] * ((dst[base + SCALES + j] << 24) >> 24));
        if (!d) continue;
        for (let i = 0; i < 16; i++) {
          const l = nearestInt(f(values[x + 16 * j + i] / d));
          L[16 * j + i] = Math.max(-32, Math.min(31, l)) + 32;
        }
      }
      for (let n = 0; n < 2; n++) {
        const ql = base + 64 * n;
        const qh = base + 128 + 32 * n;
        const j = 128 * n;
        for (let l = 0; l < 32; l++) {
          const q1 = L[j + l];
          const q2 = L[j + l + 32];
          const q3 = L[j + l + 64];
          const q4 = L[j + l + 96];
          dst[ql + l] = (q1 & 0xf) | ((q3 & 0xf) << 4);
          dst[ql + l + 32] = (q2 & 0xf) | ((q4 & 0xf) << 4);
          dst[qh + l] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6);
        }
      }
    }
  },
  firstNonFinite: nonFiniteHalves(BYTES, [D]),
};
