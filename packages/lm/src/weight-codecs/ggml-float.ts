/**
 * ggml's quantizers compute in C float32, and the bytes they write depend on every rounding step.
 * A JS number is a double; rounding after each single operation on float32 inputs gives exactly
 * the float32 result (a double has more than twice float32's precision), so the codecs write
 * `f(a * b)` wherever C writes `a * b` on floats.
 */
export const f = Math.fround;

/** ggml's nearest_int: adds 1.5 * 2^23 in float32, so halves round to even (not away from zero). */
export function nearestInt(value: number): number {
  return f(value + 12582912) - 12582912;
}

/** ggml's GROUP_MAX_EPS: below this a group of weights counts as all zero. */
export const GROUP_MAX_EPS = f(1e-15);

/** Reads a little-endian half at `offset`. */
export function halfBits(bytes: Uint8Array, offset: number): number {
  return bytes[offset] | (bytes[offset + 1] << 8);
}

export function writeHalfBits(bytes: Uint8Array, offset: number, half: number): void {
  bytes[offset] = half & 0xff;
  bytes[offset + 1] = half >> 8;
}
