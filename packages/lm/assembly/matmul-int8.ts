// The alternative the quantized matmul was measured against (bench/matmul.bench.ts, "int8"):
// llama.cpp's way for Q8_0 weights. Each activation row is quantized per 32-value block to int8
// with a float32 scale (ggml's quantize_row_q8_0, scale kept in f32), and each block's dot
// product is taken in integers, then scaled by both blocks' scales and summed in float32.
// The integer dot uses llama.cpp's AVX2 trick: |w| (0..127, the 7-bit operand) times x with w's
// sign, through relaxed-simd's i8 x i7 dot product where present, else widening to i16 and
// i32x4.dot_i16x8_s. Single-threaded, for the measurement only; the runtime does not call it.
import { halfToF32 as halfToF32Scalar } from "./decode";

/** Quantizes rows x inDim floats (inDim a multiple of 32) into q: rows x inDim int8, then f32 scales. */
export function quantizeRowsQ8(x: usize, rows: i32, inDim: i32, q: usize): void {
  const blocks = rows * (inDim >> 5);
  const scales = q + <usize>(rows * inDim);
  for (let b = 0; b < blocks; b++) {
    const src = x + ((<usize>b) << 7);
    let amax = f32x4.splat(0);
    for (let i: usize = 0; i < 128; i += 16) amax = f32x4.max(amax, f32x4.abs(v128.load(src + i)));
    const m = Mathf.max(
      Mathf.max(f32x4.extract_lane(amax, 0), f32x4.extract_lane(amax, 1)),
      Mathf.max(f32x4.extract_lane(amax, 2), f32x4.extract_lane(amax, 3)),
    );
    const d: f32 = m / 127;
    const id = f32x4.splat(d !== 0 ? 1 / d : 0);
    store<f32>(scales + ((<usize>b) << 2), d);
    const dst = q + ((<usize>b) << 5);
    for (let half: usize = 0; half < 2; half++) {
      const s = src + (half << 6);
      const i0 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(s), id)));
      const i1 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(s, 16), id)));
      const i2 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(s, 32), id)));
      const i3 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(s, 48), id)));
      const packed = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(i0, i1), i16x8.narrow_i32x4_s(i2, i3));
      v128.store(dst + (half << 4), packed);
    }
  }
}

/** The sum over 16 lanes of x * w (x, w signed int8, |w| <= 127), added into acc's i32 lanes. */
function dot16(x: v128, w: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    const signedX = v128.bitselect(i8x16.neg(x), x, i8x16.lt_s(w, i8x16.splat(0)));
    return i32x4.relaxed_dot_i8x16_i7x16_add_s(signedX, i8x16.abs(w), acc);
  }
  const lo = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(x), i16x8.extend_low_i8x16_s(w));
  const hi = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(x), i16x8.extend_high_i8x16_s(w));
  return i32x4.add(acc, i32x4.add(lo, hi));
}

function sumLanes(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/**
 * out[r,o] = sum over blocks of dx[r,b] * dw[o,b] * (integer dot of the blocks), for Q8_0 weights w
 * (outDim rows of inDim / 32 blocks of 34 bytes) and activations q from quantizeRowsQ8. Tiles of 2
 * rows x 2 weight rows; rows and outDim even (the measurement's shapes).
 */
export function matmulQ8_0Int(out: usize, q: usize, w: usize, rows: i32, inDim: i32, outDim: i32): void {
  const blocks = inDim >> 5;
  const wRow = <usize>blocks * 34;
  const xRow = <usize>inDim;
  const scales = q + <usize>(rows * inDim);
  for (let o = 0; o < outDim; o += 2) {
    const w0 = w + <usize>o * wRow;
    const w1 = w0 + wRow;
    for (let r = 0; r < rows; r += 2) {
      const x0 = q + <usize>r * xRow;
      const x1 = x0 + xRow;
      const s0 = scales + ((<usize>(r * blocks)) << 2);
      const s1 = s0 + ((<usize>blocks) << 2);
      let a00 = f32x4.splat(0);
      let a01 = f32x4.splat(0);
      let a10 = f32x4.splat(0);
      let a11 = f32x4.splat(0);
      for (let b = 0; b < blocks; b++) {
        const wb0 = w0 + <usize>b * 34;
        const wb1 = w1 + <usize>b * 34;
        const u0 = v128.load(wb0, 2);
        const u1 = v128.load(wb0, 18);
        const v0 = v128.load(wb1, 2);
        const v1 = v128.load(wb1, 18);
        const xb0 = x0 + ((<usize>b) << 5);
        const xb1 = x1 + ((<usize>b) << 5);
        const p0 = v128.load(xb0);
        const p1 = v128.load(xb0, 16);
        const q0 = v128.load(xb1);
        const q1 = v128.load(xb1, 16);
        const zero = i32x4.splat(0);
        const d0 = halfToF32Scalar(load<u16>(wb0));
        const d1 = halfToF32Scalar(load<u16>(wb1));
        const e0 = load<f32>(s0 + ((<usize>b) << 2));
        const e1 = load<f32>(s1 + ((<usize>b) << 2));
        a00 = f32x4.add(
          a00,
          f32x4.mul(f32x4.convert_i32x4_s(dot16(p1, u1, dot16(p0, u0, zero))), f32x4.splat(e0 * d0)),
        );
        a01 = f32x4.add(
          a01,
          f32x4.mul(f32x4.convert_i32x4_s(dot16(p1, v1, dot16(p0, v0, zero))), f32x4.splat(e0 * d1)),
        );
        a10 = f32x4.add(
          a10,
          f32x4.mul(f32x4.convert_i32x4_s(dot16(q1, u1, dot16(q0, u0, zero))), f32x4.splat(e1 * d0)),
        );
        a11 = f32x4.add(
          a11,
          f32x4.mul(f32x4.convert_i32x4_s(dot16(q1, v1, dot16(q0, v0, zero))), f32x4.splat(e1 * d1)),
        );
      }
      store<f32>(out + ((<usize>(r * outDim + o)) << 2), sumLanes(a00));
      store<f32>(out + ((<usize>(r * outDim + o + 1)) << 2), sumLanes(a01));
      store<f32>(out + ((<usize>((r + 1) * outDim + o)) << 2), sumLanes(a10));
      store<f32>(out + ((<usize>((r + 1) * outDim + o + 1)) << 2), sumLanes(a11));
    }
  }
}
