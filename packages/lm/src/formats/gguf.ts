import { type FileHandle, open } from "node:fs/promises";
import { WEIGHT_TYPE_LAYOUT, WEIGHT_TYPES, type WeightType } from "../kernels/weight-matrix.js";
import {
  decodeTensorInto,
  elementCount,
  failModelFile,
  readExactly,
  rowLength,
  type StoredTensor,
  type TensorStore,
} from "./tensor-store.js";

/**
 * GGUF (v2/v3): magic "GGUF", version u32, tensor count u64, metadata count u64, metadata
 * key/values, tensor infos (name, dims fastest-first, ggml type, offset), then tensor data at
 * `general.alignment` (default 32). We expose shapes row-major, i.e. the dims reversed.
 */

/** ggml_type ids (ggml.h) of the types the runtime reads. */
export const GGML_TYPE_ID: Readonly<Record<WeightType, number>> = {
  f32: 0,
  f16: 1,
  q4_0: 2,
  q5_0: 6,
  q5_1: 7,
  q8_0: 8,
  q4_k: 12,
  q5_k: 13,
  q6_k: 14,
  bf16: 30,
};
const WEIGHT_TYPE_OF_ID = new Map<number, WeightType>(WEIGHT_TYPES.map((t) => [GGML_TYPE_ID[t], t]));
/** Every other ggml type id, so an error can name what a file holds. */
const OTHER_GGML_TYPES = new Map<number, string>([
  [3, "Q4_1"],
  [9, "Q8_1"],
  [10, "Q2_K"],
  [11, "Q3_K"],
  [15, "Q8_K"],
  [16, "IQ2_XXS"],
  [17, "IQ2_XS"],
  [18, "IQ3_XXS"],
  [19, "IQ1_S"],
  [20, "IQ4_NL"],
  [21, "IQ3_S"],
  [22, "IQ2_S"],
  [23, "IQ4_XS"],
  [24, "I8"],
  [25, "I16"],
  [26, "I32"],
  [27, "I64"],
  [28, "F64"],
  [29, "IQ1_M"],
  [34, "TQ1_0"],
  [35, "TQ2_0"],
  [39, "MXFP4"],
]);
const SUPPORTED_NAMES = WEIGHT_TYPES.map((t) => WEIGHT_TYPE_LAYOUT[t].ggmlName).join(", ");

/** ggml's name of a type id: F32, Q4_K, ... */
export function ggmlTypeName(id: number): string {
  const type = WEIGHT_TYPE_OF_ID.get(id);
  return type ? WEIGHT_TYPE_LAYOUT[type].ggmlName : (OTHER_GGML_TYPES.get(id) ?? `unknown type id ${id}`);
}

export const GGUF_VALUE_TYPE = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufScalar = number | bigint | boolean | string;
export type GgufValue = GgufScalar | GgufScalar[];

export interface GgufTensorInfo extends StoredTensor {
  ggmlType: number;
  /** Absolute byte position of the tensor's data in the file. */
  offset: number;
  byteLength: number;
}

export interface GgufFile extends TensorStore {
  readonly version: number;
  readonly metadata: Map<string, GgufValue>;
  readonly tensors: GgufTensorInfo[];
}

const MAX_STRING_BYTES = 64 * 1024 * 1024;
const READ_CHUNK = 1 << 20;

/** Bytes of a tensor's data, after checking that the file's type and row length make sense. */
function tensorByteLength(ggmlType: number, shape: number[], file: string, name: string): number {
  const type = WEIGHT_TYPE_OF_ID.get(ggmlType);
  if (type === undefined) {
    const known = OTHER_GGML_TYPES.get(ggmlType);
    failModelFile(
      file,
      `tensor ${name}`,
      known
        ? `ggml type ${known} is not supported (${SUPPORTED_NAMES} are)`
        : `unknown ggml type id ${ggmlType} (supported: ${SUPPORTED_NAMES})`,
    );
  }
  const { blockElements, blockBytes, ggmlName } = WEIGHT_TYPE_LAYOUT[type];
  const row = rowLength(shape);
  if (row % blockElements !== 0)
    failModelFile(
      file,
      `tensor ${name}`,
      `rows of ${row} values are not a whole number of ${ggmlName} blocks (${blockElements} values each)`,
    );
  return (elementCount(shape) / blockElements) * blockBytes;
}

/** Pulls the header through a growing window so a multi-megabyte vocabulary needs no full-file read. */
class HeaderCursor {
  private buffer = new Uint8Array(0);
  private bufferStart = 0;
  position = 0;
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
    private readonly file: string,
  ) {}

  private async ensure(n: number, what: string): Promise<DataView> {
    if (this.position + n > this.size)
      failModelFile(
        this.file,
        what,
        `needs bytes up to ${this.position + n} but the file has ${this.size} (truncated or corrupt)`,
      );
    const end = this.position + n;
    if (this.position < this.bufferStart || end > this.bufferStart + this.buffer.length) {
      const length = Math.min(Math.max(n, READ_CHUNK), this.size - this.position);
      this.buffer = new Uint8Array(length);
      this.bufferStart = this.position;
      await readExactly(this.handle, this.buffer, this.position, this.file, what);
    }
    const view = new DataView(this.buffer.buffer, this.position - this.bufferStart, n);
    this.position = end;
    return view;
  }

  async u32(what: string): Promise<number> {
    return (await this.ensure(4, what)).getUint32(0, true);
  }

  async u64(what: string): Promise<number> {
    const v = (await this.ensure(8, what)).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      failModelFile(this.file, what, `count ${v} is implausibly large`);
    return Number(v);
  }

  async string(what: string): Promise<string> {
    const length = await this.u64(what);
    if (length > MAX_STRING_BYTES)
      failModelFile(this.file, what, `string of ${length} bytes is implausibly long`);
    const view = await this.ensure(length, what);
    return this.decoder.decode(new Uint8Array(view.buffer, view.byteOffset, length));
  }

  async scalar(type: number, what: string): Promise<GgufScalar> {
    const T = GGUF_VALUE_TYPE;
    switch (type) {
      case T.u8:
        return (await this.ensure(1, what)).getUint8(0);
      case T.i8:
        return (await this.ensure(1, what)).getInt8(0);
      case T.u16:
        return (await this.ensure(2, what)).getUint16(0, true);
      case T.i16:
        return (await this.ensure(2, what)).getInt16(0, true);
      case T.u32:
        return (await this.ensure(4, what)).getUint32(0, true);
      case T.i32:
        return (await this.ensure(4, what)).getInt32(0, true);
      case T.f32:
        return (await this.ensure(4, what)).getFloat32(0, true);
      case T.bool:
        return (await this.ensure(1, what)).getUint8(0) !== 0;
      case T.string:
        return this.string(what);
      case T.u64:
        return safeNumber((await this.ensure(8, what)).getBigUint64(0, true));
      case T.i64:
        return safeNumber((await this.ensure(8, what)).getBigInt64(0, true));
      case T.f64:
        return (await this.ensure(8, what)).getFloat64(0, true);
      default:
        failModelFile(this.file, what, `unknown metadata value type ${type}`);
    }
  }

  async value(what: string): Promise<GgufValue> {
    const type = await this.u32(what);
    if (type !== GGUF_VALUE_TYPE.array) return this.scalar(type, what);
    const itemType = await this.u32(what);
    const count = await this.u64(what);
    // Every element takes at least one byte, so a count beyond the file size is corruption, not a loop to run.
    if (count > this.size - this.position)
      failModelFile(this.file, what, `array of ${count} items exceeds the file`);
    if (itemType === GGUF_VALUE_TYPE.array) failModelFile(this.file, what, "nested arrays are not supported");
    const items: GgufScalar[] = new Array(count);
    for (let i = 0; i < count; i++) items[i] = await this.scalar(itemType, what);
    return items;
  }
}

function safeNumber(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** Opens a GGUF file: parses and checks the whole header; tensors are read on demand. */
export async function openGguf(file: string): Promise<GgufFile> {
  const handle = await open(file, "r").catch((e: NodeJS.ErrnoException) =>
    failModelFile(file, "open", e.code === "ENOENT" ? "no such file" : e.message),
  );
  try {
    const size = (await handle.stat()).size;
    const cursor = new HeaderCursor(handle, size, file);
    const magic = await cursor.u32("magic");
    if (magic !== 0x46554747) failModelFile(file, "magic", "not a GGUF file");
    const version = await cursor.u32("version");
    if (version !== 2 && version !== 3)
      failModelFile(file, "version", `GGUF version ${version} is not supported (2 and 3 are)`);
    const tensorCount = await cursor.u64("tensor count");
    const kvCount = await cursor.u64("metadata count");
    if (tensorCount > size / 24 || kvCount > size / 12)
      failModelFile(file, "header", "tensor or metadata count exceeds the file");
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = await cursor.string(`metadata[${i}] key`);
      metadata.set(key, await cursor.value(`metadata ${key}`));
    }
    const infos: { name: string; dims: number[]; ggmlType: number; offset: number }[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await cursor.string(`tensor info ${i} name`);
      const nDims = await cursor.u32(`tensor ${name} dims`);
      if (nDims > 4) failModelFile(file, `tensor ${name}`, `${nDims} dimensions (at most 4)`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(await cursor.u64(`tensor ${name} dims`));
      const ggmlType = await cursor.u32(`tensor ${name} type`);
      const offset = await cursor.u64(`tensor ${name} offset`);
      infos.push({ name, dims, ggmlType, offset });
    }
    const alignment = Number(metadata.get("general.alignment") ?? 32);
    if (!Number.isInteger(alignment) || alignment <= 0)
      failModelFile(file, "general.alignment", `invalid ${alignment}`);
    const dataStart = Math.ceil(cursor.position / alignment) * alignment;
    const tensors: GgufTensorInfo[] = infos.map(({ name, dims, ggmlType, offset }) => {
      const shape = [...dims].reverse();
      const byteLength = tensorByteLength(ggmlType, shape, file, name);
      if (dataStart + offset + byteLength > size)
        failModelFile(
          file,
          `tensor ${name}`,
          `data ends at byte ${dataStart + offset + byteLength} but the file has ${size} (truncated?)`,
        );
      return {
        name,
        shape,
        dtype: ggmlTypeName(ggmlType),
        weightType: WEIGHT_TYPE_OF_ID.get(ggmlType),
        ggmlType,
        offset: dataStart + offset,
        byteLength,
      };
    });
    const byName = new Map(tensors.map((t) => [t.name, t]));
    const store: GgufFile = {
      source: file,
      version,
      metadata,
      tensors,
      names: () => tensors.map((t) => t.name),
      info: (name) => {
        const t = byName.get(name);
        return t && { name: t.name, shape: t.shape, dtype: t.dtype, weightType: t.weightType };
      },
      readInto: async (name, out) => {
        const t = byName.get(name);
        if (!t) failModelFile(file, `tensor ${name}`, "missing");
        await decodeTensorInto(store, t, out);
      },
      readBytes: async (name, offset, target) => {
        const t = byName.get(name);
        if (!t) failModelFile(file, `tensor ${name}`, "missing");
        if (offset < 0 || offset + target.length > t.byteLength)
          throw new RangeError(
            `readBytes: ${name}: bytes ${offset}..${offset + target.length} of ${t.byteLength}`,
          );
        await readExactly(handle, target, t.offset + offset, file, `tensor ${name}`);
      },
      close: () => handle.close(),
    };
    return store;
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Metadata lookup that names the file and key when a required value is missing or mistyped. */
export function ggufNumber(gguf: GgufFile, key: string, fallback?: number): number {
  const v = gguf.metadata.get(key);
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== "number")
    failModelFile(
      gguf.source,
      `metadata ${key}`,
      v === undefined ? "missing" : `expected a number, got ${typeof v}`,
    );
  return v;
}

export function ggufString(gguf: GgufFile, key: string): string | undefined {
  const v = gguf.metadata.get(key);
  return typeof v === "string" ? v : undefined;
}
