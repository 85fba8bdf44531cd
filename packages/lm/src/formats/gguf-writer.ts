import { writeFileAtomic } from "@pva/core";
import {
  isWeightType,
  WEIGHT_TYPE_LAYOUT,
  WEIGHT_TYPES,
  type WeightMatrix,
  type WeightType,
  weightRowBytes,
} from "../kernels/weight-matrix.js";
import { decodeMatrixRows, encodeRows } from "../weight-codecs/weight-codec.js";
import { GGML_TYPE_ID, GGUF_VALUE_TYPE } from "./gguf.js";
import type { StoredRows, TensorRows } from "./tensor-rows.js";
import { elementCount, rowLength } from "./tensor-store.js";

type NumericType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "u64" | "i64" | "f64";

export type GgufMetadataEntry =
  | { key: string; type: NumericType; value: number }
  | { key: string; type: "bool"; value: boolean }
  | { key: string; type: "string"; value: string }
  | { key: string; type: "array"; itemType: "string"; value: string[] }
  | { key: string; type: "array"; itemType: NumericType; value: number[] };

/** A tensor's stored type: the runtime's name ("q4_k") or ggml's ("Q4_K"). */
export type GgufTensorType = WeightType | (typeof WEIGHT_TYPE_LAYOUT)[WeightType]["ggmlName"];

export interface GgufTensorToWrite {
  name: string;
  /** Row-major shape (HF order); the file records it reversed. Rows are its last dimension. */
  shape: number[];
  /**
   * The values: F32 values, a matrix of any type (written as is when `type` is its type, else
   * decoded and re-encoded), rows made on demand (see TensorRows), or stored rows made on demand
   * (see StoredRows).
   */
  data: Float32Array | WeightMatrix | TensorRows | StoredRows;
  type: GgufTensorType;
}

const ALIGNMENT = 32;
/** Values encoded per write. */
const WRITE_CHUNK_VALUES = 1 << 20;

const TYPE_OF_GGML_NAME = new Map<string, WeightType>(
  WEIGHT_TYPES.map((t) => [WEIGHT_TYPE_LAYOUT[t].ggmlName, t]),
);

/** The runtime's name of a tensor type given either spelling. */
export function tensorWeightType(type: GgufTensorType): WeightType {
  const resolved = isWeightType(type) ? type : TYPE_OF_GGML_NAME.get(type);
  if (!resolved) throw new RangeError(`writeGguf: unknown tensor type ${String(type)}`);
  return resolved;
}

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
  const cols = rowLength(t.shape);
  return (elementCount(t.shape) / Math.max(cols, 1)) * weightRowBytes(tensorWeightType(t.type), cols);
}

/**
 * Writes a GGUF v3 file (atomically: temp file then rename). Tensors are encoded and written a
 * chunk of rows at a time, in order, so memory holds one chunk whatever the file's size:
 * a tensor given as TensorRows is never materialised whole.
 */
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
    const type = tensorWeightType(t.type);
    const length =
      t.data instanceof Float32Array
        ? t.data.length
        : typeof t.data === "function" || "storedRows" in t.data
          ? undefined
          : t.data.rows * t.data.cols;
    if (length !== undefined && elementCount(t.shape) !== length)
      throw new RangeError(`writeGguf: ${t.name} has ${length} values for shape ${JSON.stringify(t.shape)}`);
    const { blockElements } = WEIGHT_TYPE_LAYOUT[type];
    if (rowLength(t.shape) % blockElements !== 0)
      throw new RangeError(
        `writeGguf: ${t.name}: ${type} needs rows that are a multiple of ${blockElements}, has ${rowLength(t.shape)}`,
      );
    header.string(t.name);
    header.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) header.u64(d);
    header.u32(GGML_TYPE_ID[type]);
    header.u64(offset);
    offset += Math.ceil(tensorBytes(t) / ALIGNMENT) * ALIGNMENT;
  }
  header.pad(ALIGNMENT);

  await writeFileAtomic(file, async (handle) => {
    let position = 0;
    const write = async (bytes: Uint8Array) => {
      await handle.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    };
    await write(header.bytes());
    for (const t of tensors) {
      for await (const bytes of encodeTensor(t)) await write(bytes);
      const padding = Math.ceil(tensorBytes(t) / ALIGNMENT) * ALIGNMENT - tensorBytes(t);
      if (padding > 0) await write(new Uint8Array(padding));
    }
  });
}

/** A tensor's stored bytes, a chunk of rows at a time. */
async function* encodeTensor(t: GgufTensorToWrite): AsyncGenerator<Uint8Array> {
  const type = tensorWeightType(t.type);
  const data = t.data;
  const cols = rowLength(t.shape);
  const rows = elementCount(t.shape) / Math.max(cols, 1);
  if (rows === 0 || cols === 0) return;
  const rowBytes = weightRowBytes(type, cols);
  const step = Math.max(1, Math.floor(WRITE_CHUNK_VALUES / cols));
  if (!(data instanceof Float32Array) && typeof data !== "function" && "storedRows" in data) {
    yield* storedChunks(t.name, data, rows, rowBytes, step);
    return;
  }
  if (!(data instanceof Float32Array) && typeof data !== "function" && data.type === type) {
    for (let first = 0; first < rows; first += step)
      yield data.data.subarray(first * rowBytes, Math.min(rows, first + step) * rowBytes);
    return;
  }
  const bytes = new Uint8Array(Math.min(step, rows) * rowBytes);
  let decoded: Float32Array | undefined;
  for (let first = 0; first < rows; first += step) {
    const n = Math.min(step, rows - first);
    let values: Float32Array;
    if (data instanceof Float32Array) values = data.subarray(first * cols, (first + n) * cols);
    else if (typeof data === "function") {
      values = await data(first, n);
      if (values.length !== n * cols)
        throw new RangeError(
          `writeGguf: ${t.name}: rows ${first}..${first + n} gave ${values.length} values, expected ${n * cols}`,
        );
    } else {
      decoded ??= new Float32Array(Math.min(step, rows) * cols);
      values = decoded.subarray(0, n * cols);
      decodeMatrixRows(data, first, n, values);
    }
    const view = bytes.subarray(0, n * rowBytes);
    encodeRows(type, values, 0, n, cols, view);
    yield view;
  }
}

/** A StoredRows tensor's chunks in row order, with up to `inFlight` of them asked for at once. */
async function* storedChunks(
  name: string,
  data: StoredRows,
  rows: number,
  rowBytes: number,
  step: number,
): AsyncGenerator<Uint8Array> {
  const ahead: { first: number; count: number; bytes: Promise<Uint8Array> }[] = [];
  let next = 0;
  const ask = () => {
    const count = Math.min(step, rows - next);
    const bytes = data.storedRows(next, count);
    // Awaited in turn below; until then a failure must not count as unhandled.
    bytes.catch(() => {});
    ahead.push({ first: next, count, bytes });
    next += count;
  };
  while (ahead.length < Math.max(1, data.inFlight) && next < rows) ask();
  while (ahead.length > 0) {
    const chunk = ahead.shift()!;
    const bytes = await chunk.bytes;
    if (bytes.length !== chunk.count * rowBytes)
      throw new RangeError(
        `writeGguf: ${name}: rows ${chunk.first}..${chunk.first + chunk.count} gave ${bytes.length} bytes, expected ${chunk.count * rowBytes}`,
      );
    if (next < rows) ask();
    yield bytes;
  }
}
