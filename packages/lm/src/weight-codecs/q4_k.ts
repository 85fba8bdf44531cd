import { encodeF16, f16DecodeTable } from "../formats/half-float.js";
import { type BlockCodec, nonFiniteHalves } from "./block-codec.js";
import { f, halfBits, nearestInt, writeHalfBits } from "./ggml-float.js";
import { makeQkx2Quants, packScalesMins, type ScaleMin, scaleMinK4 } from "./k-quant-search.js";

/**
 * block_q4_K, 256 values in 8 sub-blocks of 32: f16 d, f16 dmin, 12 bytes of six-bit scales and
 * mins (packScalesMins), 128 bytes of nibbles. Each 64 values share 32 bytes: the first 32 in the
 * low nibbles, the next 32 in the high ones. value = d * scale_j * q - dmin * min_j.
 */
const BYTES = 144;

export const q4_kCodec: BlockCodec = {
  decode(src, srcOffset, blocks, out, outOffset) {
    const half = f16DecodeTable();
    const sm = new Uint8Array(2);
    for (let b = 0; b < blocks; b++) {
      const base = srcOffset + b * BYTES;
      const d = half[halfBits(src, base)];
      const dmin = half[halfBits(src, base + 2)];
      let o = outOffset + b * 256;
      for (let chunk = 0; chunk < 4; chunk++) {
        const q = base + 16 + chunk * 32;
        scaleMinK4(2 * chunk, src, base + 4, sm);
        const d1 = f(d * sm[0]);
        const m1 = f(dmin * sm[1]);
        scaleMinK4(2 * chunk + 1, src, base + 4, sm);
        const d2 = f(d * sm[0]);
        const m2 = f(dmin * sm[1]);
        for (let l = 0; l < 32; l++) out[o + l] = f(d1 * (src[q + l] & 0xf)) - m1;
        for (let l = 0; l < 32; l++) out[o + 32 + l] = f(d2 * (src[q + l] >> 4)) - m2;
        o += 64;
      }
    }
  },
  encode(values, valuesOffset, blocks, dst, dstOffset) {
    encodeQ4OrQ5K(values, valuesOffset, blocks, dst, dstOffset, 15);
  },
  firstNonFinite: nonFiniteHalves(BYTES, [0, 2]),
};

/**
 * quantize_row_q4_K_ref and quantize_row_q5_K_ref (nmax 15 or 31) share everything up to the
 * packing of the codes: per sub-block, a weighted scale/min search; then the 8 scales and mins
 * quantized to 6 bits against the block's largest; then every value re-coded against those.
 */
export function encodeQ4OrQ5K(
  values: Float32Array,
  valuesOffset: number,
  blocks: number,
  dst: Uint8Array,
  dstOffset: number,
  nmax: 15 | 31,
): void {
  const blockBytes = nmax === 15 ? BYTES : 176;
  const scalesAt = 4;
  const L = new Uint8Array(256);
  const Laux = new Uint8Array(32);
  const weights = new Float32Array(32);
  const scales = new Float32Array(8);
  const mins = new Float32Array(8);
  const ls = new Uint8Array(8);
  const lm = new Uint8Array(8);
  const sm = new Uint8Array(2);
  const search: ScaleMin = { scale: 0, min: 0 };
  const half = f16DecodeTable();
  const [rmin, nstep] = nmax === 15 ? [-1, 20] : [-0.5, 15];
  for (let b = 0; b < blocks; b++) {
    const x = valuesOffset + b * 256;
    const base = dstOffset + b * blockBytes;
    let maxScale = 0;
    let maxMin = 0;
    for (let j = 0; j < 8; j++) {
      const xj = x + 32 * j;
      let sumX2 = 0;
      for (let l = 0; l < 32; l++) sumX2 = f(sumX2 + f(values[xj + l] * values[xj + l]));
      const avX = f(Math.sqrt(f(sumX2 / 32)));
      for (let l = 0; l < 32; l++) weights[l] = f(avX + Math.abs(values[xj + l]));
      makeQkx2Quants(32, nmax, values, xj, weights, L, 32 * j, Laux, rmin, f(0.1), nstep, search);
      scales[j] = search.scale;
      mins[j] = search.min;
      if (search.scale > maxScale) maxScale = search.scale;
      if (search.min > maxMin) maxMin = search.min;
    }
    const invScale = maxScale > 0 ? f(63 / maxScale) : 0;
    const invMin = maxMin > 0 ? f(63 / maxMin) : 0;
    for (let j = 0; j < 8; j++) {
      // uint8_t ls = nearest_int(...): wraps to a byte, then MIN(63, ls).
      ls[j] = Math.min(63, nearestInt(f(invScale * scales[j])) & 0xff);
      lm[j] = Math.min(63, nearestInt(f(invMin * mins[j])) & 0xff);
    }
    packScalesMins(ls, lm, dst, base + scalesAt);
    const dBits = encodeF16(f(maxScale / 63));
    const dminBits = encodeF16(f(maxMin / 63));
    writeHalfBits(dst, base, dBits);
    writeHalfBits(dst, base + 2, dminBits);
    for (let j = 0; j < 8; j++) {
      scaleMinK4(j, dst, base + scalesAt, sm);
      const d = f(half[dBits] * sm[0]);
      if (!d) continue;
      const dm = f(half[dminBits] * sm[1]);
      for (let i = 0; i < 32; i++) {
        const l = nearestInt(f(f(values[x + 32 * j + i] + dm) / d));
        L[32 * j + i] = Math.max(0, Math.min(nmax, l));
      }
    }
    if (nmax === 15) {
      const q = base + 16;
      for (let chunk = 0; chunk < 4; chunk++)
        for (let l = 0; l < 32; l++)
          dst[q + chunk * 32 + l] = L[64 * chunk + l] | (L[64 * chunk + l + 32] << 4);
    } else {
      const qh = base + 16;
      const ql = base + 48;
      dst.fill(0, qh, qh + 32);
      for (let chunk = 0; chunk < 4; chunk++) {
        const m1 = 1 << (2 * chunk);
        const m2 = 2 << (2 * chunk);
        for (let j = 0; j < 32; j++) {
          let l1 = L[64 * chunk + j];
          if (l1 > 15) {
            l1 -= 16;
            dst[qh + j] |= m1;
          }
          let l2 = L[64 * chunk + j + 32];
          if (l2 > 15) {
            l2 -= 16;
            dst[qh + j] |= m2;
          }
          dst[ql + 32 * chunk + j] = l1 | (l2 << 4);
        }
      }
    }
  }
}
