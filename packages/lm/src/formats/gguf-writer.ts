import { open, rename } from "node:fs/promises";
import { GGML_TYPE, GGUF_VALUE_TYPE, Q8_0_BLOCK, Q8_0_BLOCK_BYTES } from "./gguf.js";
import { encodeF16 } from "./half-float.js";
import { elementCount } from "./tensor-store.js";

type NumericType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "u64" | "i64" | "f64";

export type GgufMetadataEntry =
  | { key: string; type: NumericType; value: number }
  | { key: string; type: "bool"; value: boolean }
  | { key: string; type: "string"; value: string }
  | { key: string; type: "array"; itemType: "string"; value: string[] }
  | { key: string; type: "array"; itemType: NumericType; value: number[] };

export interface GgufTensorToWrite {
  name: string;
  /** Row-major shape (HF order); the file records it reversed. */
  shape: number[];
  data: Float32Array;
  type: "F32" | "F16" | "Q8_0";
}

const ALIGNMENT = 32;

/** Collects little-endian bytes into a growing buffer. */
class ByteSink {
  private buffer = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const next = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  u32(v: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(v, this.length);
    this.length += 4;
  }

  u64(v: number): void {
    this.reserve(8);
    this.buffer.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
  }

  string(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.reserve(bytes.length);
    bytes.copy(this.buffer, this.length);
    this.length += bytes.length;
  }

  scalar(type: NumericType | "bool", v: number | boolean): void {
    const sizes: Record<string, number> = {
      u8: 1,
      i8: 1,
      bool: 1,
      u16: 2,
      i16: 2,
      u32: 4,
      i32: 4,
      f32: 4,
      u64: 8,
      i64: 8,
      f64: 8,
    };
    this.reserve(sizes[type]);
    const b = this.buffer;
    const o = this.length;
    const n = Number(v);
    switch (type) {
      case "u8":
      case "bool":
        b.writeUInt8(n, o);
        break;
      case "i8":
        b.writeInt8(n, o);
        break;
      case "u16":
        b.writeUInt16LE(n, o);
        break;
      case "i16":
        b.writeInt16LE(n, o);
        break;
      case "u32":
        b.writeUInt32LE(n, o);
        break;
      case "i32":
        b.writeInt32LE(n, o);
        break;
      case "f32":
        b.writeFloatLE(n, o);
        break;
      case "u64":
        b.writeBigUInt64LE(BigInt(n), o);
        break;
      case "i64":
        b.writeBigInt64LE(BigInt(n), o);
        break;
      case "f64":
        b.writeDoubleLE(n, o);
        break;
    }
    this.length += sizes[type];
  }

  pad(alignment: number): void {
    const padded = Math.ceil(this.length / alignment) * alignment;
    this.reserve(padded - this.length);
    this.buffer.fill(0, this.length, padded);
    this.length = padded;
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

function tensorBytes(t: GgufTensorToWrite): number {
  const count = elementCount(t.shape);
  if (t.type === "F32") return count * 4;
  if (t.type === "F16") return count * 2;
  return (count / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES;
}

/** Writes a GGUF v3 file (atomically: temp file then rename). */
export async function writeGguf(
  file: string,
  metadata: GgufMetadataEntry[],
  tensors: GgufTensorToWrite[],
): Promise<void> {
  const header = new ByteSink();
  header.u32(0x46554747);
  header.u32(3);
  header.u64(tensors.length);
  header.u64(metadata.length);
  for (const entry of metadata) {
    header.string(entry.key);
    if (entry.type === "array") {
      header.u32(GGUF_VALUE_TYPE.array);
      header.u32(GGUF_VALUE_TYPE[entry.itemType]);
      header.u64(entry.value.length);
      for (const item of entry.value) {
        if (entry.itemType === "string") header.string(item as string);
        else header.scalar(entry.itemType, item as number);
      }
    } else {
      header.u32(GGUF_VALUE_TYPE[entry.type]);
      if (entry.type === "string") header.string(entry.value);
      else header.scalar(entry.type, entry.value);
    }
  }
  let offset = 0;
  for (const t of tensors) {
    if (elementCount(t.shape) !== t.data.length)
      throw new RangeError(
        `writeGguf: ${t.name} has ${t.data.length} values for shape ${JSON.stringify(t.shape)}`,
      );
    if (t.type === "Q8_0" && t.shape[t.shape.length - 1] % Q8_0_BLOCK !== 0)
      throw new RangeError(`writeGguf: ${t.name}: Q8_0 needs rows that are a multiple of ${Q8_0_BLOCK}`);
    header.string(t.name);
    header.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) header.u64(d);
    header.u32(GGML_TYPE[t.type]);
    header.u64(offset);
    offset += Math.ceil(tensorBytes(t) / ALIGNMENT) * ALIGNMENT;
  }
  header.pad(ALIGNMENT);

  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await open(tmp, "w");
  try {
    let position = 0;
    const write = async (bytes: Uint8Array) => {
      await handle.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    };
    await write(header.bytes());
    for (const t of tensors) {
      await write(encodeTensor(t));
      const padding = Math.ceil(tensorBytes(t) / ALIGNMENT) * ALIGNMENT - tensorBytes(t);
      if (padding > 0) await write(new Uint8Array(padding));
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

function encodeTensor(t: GgufTensorToWrite): Uint8Array {
  if (t.type === "F32") return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (t.type === "F16") {
    const halves = new Uint16Array(t.data.length);
    for (let i = 0; i < t.data.length; i++) halves[i] = encodeF16(t.data[i]);
    return new Uint8Array(halves.buffer);
  }
  return quantizeQ8_0(t.data);
}

/** ggml's reference Q8_0: per block of 32, scale d = max|x| / 127, q = round(x / d). */
export function quantizeQ8_0(values: Float32Array): Uint8Array {
  const blocks = values.length / Q8_0_BLOCK;
  const out = new Uint8Array(blocks * Q8_0_BLOCK_BYTES);
  const signed = new Int8Array(out.buffer);
  for (let b = 0; b < blocks; b++) {
    let amax = 0;
    for (let i = 0; i < Q8_0_BLOCK; i++) amax = Math.max(amax, Math.abs(values[b * Q8_0_BLOCK + i]));
    const d = Math.fround(amax / 127);
    const id = d ? Math.fround(1 / d) : 0;
    const half = encodeF16(d);
    const base = b * Q8_0_BLOCK_BYTES;
    out[base] = half & 0xff;
    out[base + 1] = half >> 8;
    for (let i = 0; i < Q8_0_BLOCK; i++) {
      const x = Math.fround(values[b * Q8_0_BLOCK + i] * id);
      // C roundf: half away from zero.
      signed[base + 2 + i] = Math.sign(x) * Math.round(Math.abs(x));
    }
  }
  return out;
}
