// Elementwise activations, vectorised.
import { expf4 } from "./simd";

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
