// SIMD building blocks shared by the kernels.

/** acc + a * b, fused into one rounding when built with relaxed-simd. */
export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

export function horizontalSum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/** The part of a dot product past the last whole f32x4 (inDim not a multiple of 4). */
export function scalarTail(xp: usize, wp: usize, from: usize, to: usize): f32 {
  let sum: f32 = 0;
  for (let i = from; i < to; i += 4) sum += load<f32>(xp + i) * load<f32>(wp + i);
  return sum;
}

// exp is Cephes' expf: range reduction by ln 2 in two parts, a degree-5 polynomial, and the
// power of two assembled in the exponent bits; within 2 ulp of a correctly rounded exp over the
// clamped range.
const EXP_MAX: f32 = 88.0; // keeps 2^n finite when assembled in the exponent bits (n <= 127)
const EXP_MIN: f32 = -87.3365478515625; // below this 2^n would leave the normal range
const LOG2E: f32 = Mathf.LOG2E;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;

/** exp of each lane. */
export function expf4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(EXP_MIN)), f32x4.splat(EXP_MAX));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.98756915e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}
