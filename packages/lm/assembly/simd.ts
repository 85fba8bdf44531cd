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
