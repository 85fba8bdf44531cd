// Decoding stored weight rows (ggml's block layouts, see src/kernels/weight-matrix.ts and the
// codecs in src/weight-codecs) to F32, vectorised. The matmul kernel decodes a few weight rows at
// a time into a small per-thread panel and runs its F32 tiles on it (assembly/matmul.ts).
//
// Every decoded value is what the TypeScript codec gives for it: the same products in float32,
// one rounding each (d * q for Q8_0/Q4_0; f(d * scale) * q for Q6_K; f(f(d * scale) * q) -
// f(dmin * min) for Q4_K/Q5_K, where the codec rounds the double difference of two floats once
// more to float32, which can differ from the float32 subtraction here in the last bit in rare
// cases). So the product is the F32 product over the dequantized weights.
//
// This file is the only code that reads weight bytes: the weights are addressed by a pointer of
// their own, so they can live at any offset (or, later, in another memory) apart from the
// activations.

// Weight type ids; the same numbers as WASM_WEIGHT_TYPE_IDS in src/kernels/wasm-backend.ts.
export const W_F32: i32 = 0;
export const W_F16: i32 = 1;
export const W_BF16: i32 = 2;
export const W_Q8_0: i32 = 3;
export const W_Q4_0: i32 = 4;
export const W_Q4_K: i32 = 5;
export const W_Q5_K: i32 = 6;
export const W_Q6_K: i32 = 7;

/** Bytes of one stored row of `cols` values. */
export function rowBytesOf(type: i32, cols: i32): usize {
  const n = <usize>cols;
  if (type === W_F32) return n << 2;
  if (type === W_F16 || type === W_BF16) return n << 1;
  if (type === W_Q8_0) return (n >> 5) * 34;
  if (type === W_Q4_0) return (n >> 5) * 18;
  if (type === W_Q4_K) return (n >> 8) * 144;
  if (type === W_Q5_K) return (n >> 8) * 176;
  return (n >> 8) * 210; // W_Q6_K
}

/** Decodes `count` stored rows starting at `src` (each rowBytes long) into count x cols floats at dst. */
export function decodeRows(type: i32, src: usize, rowBytes: usize, count: i32, cols: i32, dst: usize): void {
  const dstRow = (<usize>cols) << 2;
  for (let k = 0; k < count; k++) {
    const s = src + <usize>k * rowBytes;
    const d = dst + <usize>k * dstRow;
    if (type === W_F16) decodeF16(s, cols, d);
    else if (type === W_BF16) decodeBf16(s, cols, d);
    else if (type === W_Q8_0) decodeQ8_0(s, cols >> 5, d);
    else if (type === W_Q4_0) decodeQ4_0(s, cols >> 5, d);
    else if (type === W_Q4_K) decodeQ4_K(s, cols >> 8, d);
    else if (type === W_Q5_K) decodeQ5_K(s, cols >> 8, d);
    else if (type === W_Q6_K) decodeQ6_K(s, cols >> 8, d);
    else memory.copy(d, s, dstRow);
  }
}

/** IEEE half (low 16 bits) to float, exactly, subnormals, infinities and NaN included. */
export function halfToF32(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const mag = h & 0x7fff;
  if (mag < 0x400) {
    const v = <f32>mag * 5.9604644775390625e-8; // subnormal: mag * 2^-24, exact
    return sign ? -v : v;
  }
  let bits = (mag << 13) + (112 << 23);
  if (mag >= 0x7c00) bits += 112 << 23; // infinity / NaN: exponent all ones
  return reinterpret<f32>(bits | sign);
}

/** Four halves (one per i32 lane, high bits zero) to floats, exactly, as halfToF32. */
function halves4ToF32(h: v128): v128 {
  const sign = i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16);
  const mag = v128.and(h, i32x4.splat(0x7fff));
  let normal = i32x4.add(i32x4.shl(mag, 13), i32x4.splat(112 << 23));
  normal = i32x4.add(normal, v128.and(i32x4.gt_s(mag, i32x4.splat(0x7bff)), i32x4.splat(112 << 23)));
  const subnormal = f32x4.mul(f32x4.convert_i32x4_s(mag), f32x4.splat(5.9604644775390625e-8));
  return v128.or(v128.bitselect(subnormal, normal, i32x4.lt_s(mag, i32x4.splat(0x400))), sign);
}

function decodeF16(src: usize, cols: i32, dst: usize): void {
  const n = <usize>cols;
  const vec = n & ~7;
  for (let i: usize = 0; i < vec; i += 8) {
    const h = v128.load(src + (i << 1));
    v128.store(dst + (i << 2), halves4ToF32(i32x4.extend_low_i16x8_u(h)));
    v128.store(dst + (i << 2), halves4ToF32(i32x4.extend_high_i16x8_u(h)), 16);
  }
  for (let i = vec; i < n; i++) store<f32>(dst + (i << 2), halfToF32(load<u16>(src + (i << 1))));
}

function decodeBf16(src: usize, cols: i32, dst: usize): void {
  const n = <usize>cols;
  const vec = n & ~7;
  for (let i: usize = 0; i < vec; i += 8) {
    const h = v128.load(src + (i << 1));
    v128.store(dst + (i << 2), i32x4.shl(i32x4.extend_low_i16x8_u(h), 16));
    v128.store(dst + (i << 2), i32x4.shl(i32x4.extend_high_i16x8_u(h), 16), 16);
  }
  for (let i = vec; i < n; i++) store<u32>(dst + (i << 2), (<u32>load<u16>(src + (i << 1))) << 16);
}

/** Stores 16 signed bytes times d as 16 floats at dst. */
function storeScaled16(q: v128, d: v128, dst: usize): void {
  const lo = i16x8.extend_low_i8x16_s(q);
  const hi = i16x8.extend_high_i8x16_s(q);
  v128.store(dst, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), d));
  v128.store(dst, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), d), 16);
  v128.store(dst, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), d), 32);
  v128.store(dst, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), d), 48);
}

/** Stores 16 unsigned bytes q as d * q - m (a rounding after each operation), 16 floats at dst. */
function storeScaledMin16(q: v128, d: v128, m: v128, dst: usize): void {
  const lo = i16x8.extend_low_i8x16_u(q);
  const hi = i16x8.extend_high_i8x16_u(q);
  v128.store(dst, f32x4.sub(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(lo)), d), m));
  v128.store(dst, f32x4.sub(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(lo)), d), m), 16);
  v128.store(dst, f32x4.sub(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(hi)), d), m), 32);
  v128.store(dst, f32x4.sub(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(hi)), d), m), 48);
}

/** block_q8_0 (34 bytes): f16 d, 32 int8 q; value = q * d. */
function decodeQ8_0(src: usize, blocks: i32, dst: usize): void {
  for (let b = 0; b < blocks; b++) {
    const base = src + <usize>b * 34;
    const d = f32x4.splat(halfToF32(load<u16>(base)));
    const o = dst + ((<usize>b) << 7);
    storeScaled16(v128.load(base, 2), d, o);
    storeScaled16(v128.load(base, 18), d, o + 64);
  }
}

/** block_q4_0 (18 bytes): f16 d, 16 bytes; value j is byte j's low nibble, j + 16 its high one; (q - 8) * d. */
function decodeQ4_0(src: usize, blocks: i32, dst: usize): void {
  const low = i8x16.splat(0x0f);
  const eight = i8x16.splat(8);
  for (let b = 0; b < blocks; b++) {
    const base = src + <usize>b * 18;
    const d = f32x4.splat(halfToF32(load<u16>(base)));
    const q = v128.load(base, 2);
    const o = dst + ((<usize>b) << 7);
    storeScaled16(i8x16.sub(v128.and(q, low), eight), d, o);
    storeScaled16(i8x16.sub(i8x16.shr_u(q, 4), eight), d, o + 64);
  }
}

/** ggml's get_scale_min_k4: sub-block j's 6-bit scale (low 8 bits) and min (next 8) from 12 bytes at q. */
function scaleMinK4(j: i32, q: usize): u32 {
  let sc: u32, m: u32;
  if (j < 4) {
    sc = load<u8>(q + <usize>j) & 63;
    m = load<u8>(q + <usize>(j + 4)) & 63;
  } else {
    sc = (load<u8>(q + <usize>(j + 4)) & 0xf) | ((load<u8>(q + <usize>(j - 4)) >> 6) << 4);
    m = (load<u8>(q + <usize>(j + 4)) >> 4) | ((load<u8>(q + <usize>j) >> 6) << 4);
  }
  return sc | (m << 8);
}

/**
 * block_q4_K (144 bytes): f16 d, f16 dmin, 12 bytes of scales and mins, 128 bytes of nibbles.
 * Chunk c of 64 values: the low nibbles of bytes 32c..32c+31 (sub-block 2c), then their high
 * nibbles (sub-block 2c + 1); value = d * scale * q - dmin * min.
 */
function decodeQ4_K(src: usize, blocks: i32, dst: usize): void {
  const low = i8x16.splat(0x0f);
  for (let b = 0; b < blocks; b++) {
    const base = src + <usize>b * 144;
    const d = halfToF32(load<u16>(base));
    const dmin = halfToF32(load<u16>(base, 2));
    let o = dst + ((<usize>b) << 10);
    for (let c = 0; c < 4; c++) {
      const q = base + 16 + ((<usize>c) << 5);
      const sm1 = scaleMinK4(2 * c, base + 4);
      const sm2 = scaleMinK4(2 * c + 1, base + 4);
      const d1 = f32x4.splat(d * <f32>(sm1 & 0xff));
      const m1 = f32x4.splat(dmin * <f32>(sm1 >> 8));
      const d2 = f32x4.splat(d * <f32>(sm2 & 0xff));
      const m2 = f32x4.splat(dmin * <f32>(sm2 >> 8));
      const qa = v128.load(q);
      const qb = v128.load(q, 16);
      storeScaledMin16(v128.and(qa, low), d1, m1, o);
      storeScaledMin16(v128.and(qb, low), d1, m1, o + 64);
      storeScaledMin16(i8x16.shr_u(qa, 4), d2, m2, o + 128);
      storeScaledMin16(i8x16.shr_u(qb, 4), d2, m2, o + 192);
      o += 256;
    }
  }
}

/**
 * block_q5_K (176 bytes): Q4_K's d, dmin and scales, 32 bytes of fifth bits qh, 128 bytes of
 * nibbles as in Q4_K; value 64c + l (l < 32) adds 16 if bit 2c of qh[l] is set, value 64c + 32 + l
 * if bit 2c + 1 is.
 */
function decodeQ5_K(src: usize, blocks: i32, dst: usize): void {
  const low = i8x16.splat(0x0f);
  const sixteen = i8x16.splat(16);
  for (let b = 0; b < blocks; b++) {
    const base = src + <usize>b * 176;
    const d = halfToF32(load<u16>(base));
    const dmin = halfToF32(load<u16>(base, 2));
    const qha = v128.load(base, 16);
    const qhb = v128.load(base, 32);
    let o = dst + ((<usize>b) << 10);
    for (let c = 0; c < 4; c++) {
      const q = base + 48 + ((<usize>c) << 5);
      const sm1 = scaleMinK4(2 * c, base + 4);
      const sm2 = scaleMinK4(2 * c + 1, base + 4);
      const d1 = f32x4.splat(d * <f32>(sm1 & 0xff));
      const m1 = f32x4.splat(dmin * <f32>(sm1 >> 8));
      const d2 = f32x4.splat(d * <f32>(sm2 & 0xff));
      const m2 = f32x4.splat(dmin * <f32>(sm2 >> 8));
      const bit1 = i8x16.splat(<i8>(1 << (<i8>(2 * c))));
      const bit2 = i8x16.splat(<i8>(2 << (<i8>(2 * c))));
      const qa = v128.load(q);
      const qb = v128.load(q, 16);
      // (qh & bit) == bit is all ones where set; and-ing with 16 gives the fifth bit's value.
      const ha1 = v128.and(i8x16.eq(v128.and(qha, bit1), bit1), sixteen);
      const hb1 = v128.and(i8x16.eq(v128.and(qhb, bit1), bit1), sixteen);
      const ha2 = v128.and(i8x16.eq(v128.and(qha, bit2), bit2), sixteen);
      const hb2 = v128.and(i8x16.eq(v128.and(qhb, bit2), bit2), sixteen);
      storeScaledMin16(v128.or(v128.and(qa, low), ha1), d1, m1, o);
      storeScaledMin16(v128.or(v128.and(qb, low), hb1), d1, m1, o + 64);
      storeScaledMin16(v128.or(i8x16.shr_u(qa, 4), ha2), d2, m2, o + 128);
      storeScaledMin16(v128.or(i8x16.shr_u(qb, 4), hb2), d2, m2, o + 192);
      o += 256;
    }
  }
}

/**
 * block_q6_K (210 bytes): ql (128 bytes of low nibbles), qh (64 bytes of 2-bit high parts), 16
 * int8 scales, f16 d. Half n (128 values) uses ql[64n..64n+63], qh[32n..32n+31]: value l + 32k
 * takes the low (k = 0, 1) or high (k = 2, 3) nibble of ql[l + 32 (k & 1)] and bits 2k, 2k + 1
 * of qh[l]; value = f(d * scale) * (q - 32), scale = scales[8n + (l >> 4) + 2k].
 */
function decodeQ6_K(src: usize, blocks: i32, dst: usize): void {
  const low = i8x16.splat(0x0f);
  const three = i8x16.splat(0x30);
  const thirtyTwo = i8x16.splat(32);
  for (let b = 0; b < blocks; b++) {
    const base = src + <usize>b * 210;
    const d = halfToF32(load<u16>(base, 208));
    for (let n = 0; n < 2; n++) {
      const ql = base + ((<usize>n) << 6);
      const qh = base + 128 + ((<usize>n) << 5);
      const sc = base + 192 + ((<usize>n) << 3);
      const o = dst + ((<usize>b) << 10) + ((<usize>n) << 9);
      for (let half = 0; half < 2; half++) {
        const l = (<usize>half) << 4;
        const a = v128.load(ql + l);
        const c = v128.load(ql + l, 32);
        const h = v128.load(qh + l);
        // Each high pair moved to bits 4..5 of the byte.
        const q1 = i8x16.sub(v128.or(v128.and(a, low), v128.and(i8x16.shl(h, 4), three)), thirtyTwo);
        const q2 = i8x16.sub(v128.or(v128.and(c, low), v128.and(i8x16.shl(h, 2), three)), thirtyTwo);
        const q3 = i8x16.sub(v128.or(i8x16.shr_u(a, 4), v128.and(h, three)), thirtyTwo);
        const q4 = i8x16.sub(v128.or(i8x16.shr_u(c, 4), v128.and(i8x16.shr_u(h, 2), three)), thirtyTwo);
        const s = sc + <usize>half;
        const out = o + (l << 2);
        storeScaled16(q1, f32x4.splat(d * <f32>load<i8>(s)), out);
        storeScaled16(q2, f32x4.splat(d * <f32>load<i8>(s, 2)), out + 128);
        storeScaled16(q3, f32x4.splat(d * <f32>load<i8>(s, 4)), out + 256);
        storeScaled16(q4, f32x4.splat(d * <f32>load<i8>(s, 6)), out + 384);
      }
    }
  }
}
