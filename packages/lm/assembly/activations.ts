// Elementwise activations, vectorised. exp is Cephes' expf: range reduction by ln 2 in two
// parts, a degree-5 polynomial, and the power of two assembled in the exponent bits; within
// 2 ulp of a correctly rounded exp over the clamped range.
import { madd } from "./simd";

const EXP_MAX: f32 = 88.0; // keeps 2^n finite when assembled in the exponent bits (n <= 127)
const EXP_MIN: f32 = -87.3365478515625; // below this 2^n would leave the normal range
const LOG2E: f32 = Mathf.LOG2E;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;

function expf4(x: v128): v128 {
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

/** gate[i] = silu(gate[i]) * up[i] = gate[i] / (1 + exp(-gate[i])) * up[i]: SwiGLU's activation. */
export function siluMul(gate: usize, up: usize, length: i32): void {
  const bytes = (<usize>length) << 2;
  const vecBytes = (<usize>(length & ~3)) << 2;
  const one = f32x4.splat(1);
  for (let i: usize = 0; i < vecBytes; i += 16) {
    const g = v128.load(gate + i);
    const sigmoid = f32x4.div(one, f32x4.add(one, expf4(f32x4.neg(g))));
    v128.store(gate + i, f32x4.mul(f32x4.mul(g, sigmoid), v128.load(up + i)));
  }
  for (let i = vecBytes; i < bytes; i += 4) {
    const g = load<f32>(gate + i);
    store<f32>(gate + i, (g / (1 + Mathf.exp(-g))) * load<f32>(up + i));
  }
}
