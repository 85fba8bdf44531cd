/**
 * IEEE half (F16) and bfloat16 (BF16) conversions. Decoding goes through a 64K-entry table built
 * once, because checkpoints hold hundreds of millions of halves and a branchy per-element decode
 * dominates load time.
 */

let f16Table: Float32Array | null = null;

function decodeF16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The float32 value of every 16-bit half pattern. */
export function f16DecodeTable(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = decodeF16Bits(h);
  }
  return f16Table;
}

/** Decodes `count` little-endian halves from `bytes` into `out` starting at `outOffset`. */
export function decodeF16(bytes: Uint8Array, out: Float32Array, outOffset: number, count: number): void {
  const table = f16DecodeTable();
  for (let i = 0; i < count; i++) out[outOffset + i] = table[bytes[2 * i] | (bytes[2 * i + 1] << 8)];
}

/** Decodes `count` little-endian bfloat16 values: they are the top 16 bits of a float32. */
export function decodeBf16(bytes: Uint8Array, out: Float32Array, outOffset: number, count: number): void {
  const bits = new Uint32Array(out.buffer, out.byteOffset + outOffset * 4, count);
  for (let i = 0; i < count; i++) bits[i] = ((bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16) >>> 0;
}

const conversion = new Float32Array(1);
const conversionBits = new Uint32Array(conversion.buffer);

/** Rounds a float32 to the nearest half (ties to even), as numpy's astype(float16) does. */
export function encodeF16(value: number): number {
  conversion[0] = value;
  const x = conversionBits[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    const rounded = rest > midpoint || (rest === midpoint && half & 1) ? half + 1 : half;
    return sign | rounded;
  }
  let half = mantissa >> 13;
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) {
    half += 1;
    if (half === 0x400) {
      half = 0;
      e += 1;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | half;
}

/** Rounds a float32 to bfloat16 (ties to even), as torch does. */
export function encodeBf16(value: number): number {
  conversion[0] = value;
  const x = conversionBits[0];
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  const rounding = 0x7fff + ((x >>> 16) & 1);
  return ((x + rounding) >>> 16) & 0xffff;
}
