import { open, readFile, stat } from "node:fs/promises";
import { PvaError, writeFileAtomic } from "@pva/core";
import type { WeightType } from "../kernels/weight-matrix.js";
import { encodeBf16, encodeF16 } from "./half-float.js";
import {
  decodeTensorInto,
  elementCount,
  failModelFile,
  readExactly,
  type StoredTensor,
  type TensorStore,
} from "./tensor-store.js";

/**
 * safetensors: an 8-byte little-endian header length, a JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {string: string} }`,
 * then the raw little-endian tensor bytes (offsets relative to the end of the header).
 */

export type SafetensorsDtype = "F32" | "F16" | "BF16";
const BYTES_PER_ELEMENT: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};
/** The dtypes the runtime reads, and how (F16/BF16 weights stay 16-bit in memory). */
const WEIGHT_TYPE_OF_DTYPE: Record<string, WeightType> = { F32: "f32", F16: "f16", BF16: "bf16" };
/** Headers of real checkpoints are well under this; larger means a corrupt length field. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;

interface SafetensorsEntry extends StoredTensor {
  begin: number;
  end: number;
}

export interface SafetensorsFile extends TensorStore {
  readonly metadata: Record<string, string>;
}

/** Opens a .safetensors file and validates its whole header before any tensor is read. */
export async function openSafetensors(file: string): Promise<SafetensorsFile> {
  const handle = await open(file, "r").catch((e: NodeJS.ErrnoException) =>
    failModelFile(file, "open", e.code === "ENOENT" ? "no such file" : e.message),
  );
  try {
    const size = (await handle.stat()).size;
    if (size < 8) failModelFile(file, "header", `file is ${size} bytes, too short for a safetensors header`);
    const lengthBytes = new Uint8Array(8);
    await readExactly(handle, lengthBytes, 0, file, "header length");
    const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
    if (headerLength > MAX_HEADER_BYTES || headerLength > size - 8)
      failModelFile(
        file,
        "header",
        `header length ${headerLength} exceeds the file (${size} bytes) or the ${MAX_HEADER_BYTES}-byte limit`,
      );
    const headerBytes = new Uint8Array(headerLength);
    await readExactly(handle, headerBytes, 8, file, "header");
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder().decode(headerBytes));
    } catch (e) {
      failModelFile(file, "header", `not valid JSON (${(e as Error).message})`);
    }
    if (typeof header !== "object" || header === null || Array.isArray(header))
      failModelFile(file, "header", "expected a JSON object");
    const dataStart = 8 + headerLength;
    const dataBytes = size - dataStart;
    const entries = new Map<string, SafetensorsEntry>();
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === "__metadata__") {
        metadata = (raw ?? {}) as Record<string, string>;
        continue;
      }
      const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const where = `tensor ${name}`;
      if (typeof entry !== "object" || entry === null) failModelFile(file, where, "expected an object");
      if (typeof entry.dtype !== "string" || !(entry.dtype in BYTES_PER_ELEMENT))
        failModelFile(file, where, `unknown dtype ${JSON.stringify(entry.dtype)}`);
      const shape = entry.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
        failModelFile(file, where, "shape must be an array of non-negative integers");
      const offsets = entry.data_offsets;
      if (
        !Array.isArray(offsets) ||
        offsets.length !== 2 ||
        !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
      )
        failModelFile(file, where, "data_offsets must be [begin, end]");
      const [begin, end] = offsets as [number, number];
      const expected = elementCount(shape as number[]) * BYTES_PER_ELEMENT[entry.dtype];
      if (end - begin !== expected)
        failModelFile(
          file,
          where,
          `data_offsets span ${end - begin} bytes, shape ${JSON.stringify(shape)} ${entry.dtype} needs ${expected}`,
        );
      if (end > dataBytes)
        failModelFile(file, where, `data ends at byte ${end} but the file holds ${dataBytes} (truncated?)`);
      entries.set(name, {
        name,
        dtype: entry.dtype,
        weightType: WEIGHT_TYPE_OF_DTYPE[entry.dtype],
        shape: shape as number[],
        begin: dataStart + begin,
        end: dataStart + end,
      });
    }
    const entryOf = (name: string) => entries.get(name) ?? failModelFile(file, `tensor ${name}`, "missing");
    const store: SafetensorsFile = {
      source: file,
      metadata,
      names: () => [...entries.keys()],
      info: (name) => {
        const e = entries.get(name);
        return e && { name: e.name, shape: e.shape, dtype: e.dtype, weightType: e.weightType };
      },
      readInto: async (name, out) => {
        const entry = entryOf(name);
        if (entry.weightType === undefined)
          failModelFile(file, `tensor ${name}`, `dtype ${entry.dtype} is not supported (F32, F16, BF16 are)`);
        await decodeTensorInto(store, entry, out);
      },
      readBytes: async (name, offset, target) => {
        const entry = entryOf(name);
        if (offset < 0 || entry.begin + offset + target.length > entry.end)
          throw new RangeError(
            `readBytes: ${name}: bytes ${offset}..${offset + target.length} of ${entry.end - entry.begin}`,
          );
        await readExactly(handle, target, entry.begin + offset, file, `tensor ${name}`);
      },
      close: () => handle.close(),
    };
    return store;
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Reads every tensor of a file into fresh Float32Arrays (for small files such as emotion vectors). */
export async function readSafetensors(file: string): Promise<{
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  metadata: Record<string, string>;
}> {
  const store = await openSafetensors(file);
  try {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const name of store.names()) {
      const info = store.info(name)!;
      const data = new Float32Array(elementCount(info.shape));
      await store.readInto(name, data);
      tensors.set(name, { shape: info.shape, data });
    }
    return { tensors, metadata: store.metadata };
  } finally {
    await store.close();
  }
}

export interface TensorToWrite {
  shape: number[];
  /** The values, or a function that makes them when they are written (so a large checkpoint never sits in memory whole). */
  data: Float32Array | (() => Float32Array);
  /** Stored dtype; default F32. */
  dtype?: SafetensorsDtype;
}

/** Writes tensors (in the given order) and string metadata; atomic via a temp file and rename. */
export async function writeSafetensors(
  file: string,
  tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Promise<void> {
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of list) {
    const dtype = t.dtype ?? "F32";
    const count = elementCount(t.shape);
    const bytes = count * BYTES_PER_ELEMENT[dtype];
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  // Pad with spaces so tensor data starts 8-byte aligned, as the reference writer does.
  headerText += " ".repeat((8 - ((Buffer.byteLength(headerText) + 8) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, "utf8");
  await writeFileAtomic(file, async (handle) => {
    const lengthBytes = Buffer.alloc(8);
    lengthBytes.writeBigUInt64LE(BigInt(headerBytes.length));
    let position = 0;
    const write = async (bytes: Uint8Array) => {
      await handle.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    };
    await write(lengthBytes);
    await write(headerBytes);
    for (const [name, t] of list) {
      const dtype = t.dtype ?? "F32";
      const data = typeof t.data === "function" ? t.data() : t.data;
      if (data.length !== elementCount(t.shape))
        throw new RangeError(
          `writeSafetensors: ${name} has ${data.length} values for shape ${JSON.stringify(t.shape)}`,
        );
      if (dtype === "F32") {
        await write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        continue;
      }
      const encode = dtype === "F16" ? encodeF16 : encodeBf16;
      const chunkElements = CHUNK_BYTES / 2;
      const halves = new Uint16Array(Math.min(chunkElements, data.length));
      for (let done = 0; done < data.length; done += chunkElements) {
        const n = Math.min(chunkElements, data.length - done);
        for (let i = 0; i < n; i++) halves[i] = encode(data[done + i]);
        await write(new Uint8Array(halves.buffer, 0, n * 2));
      }
    }
  });
}

/** A folder's checkpoint: model.safetensors, or shards listed by model.safetensors.index.json. */
export async function openSafetensorsCheckpoint(dir: string): Promise<TensorStore> {
  const indexFile = `${dir}/model.safetensors.index.json`;
  const single = `${dir}/model.safetensors`;
  if (await exists(single)) return openSafetensors(single);
  if (!(await exists(indexFile)))
    throw new PvaError(`${dir}: no model.safetensors or model.safetensors.index.json`, "E_MODEL_FILE");
  let weightMap: Record<string, string>;
  try {
    weightMap = (JSON.parse(await readFile(indexFile, "utf8")) as { weight_map: Record<string, string> })
      .weight_map;
    if (typeof weightMap !== "object" || weightMap === null) throw new Error("weight_map missing");
  } catch (e) {
    failModelFile(indexFile, "weight_map", (e as Error).message);
  }
  const shards = new Map<string, SafetensorsFile>();
  try {
    for (const shard of new Set(Object.values(weightMap)))
      shards.set(shard, await openSafetensors(`${dir}/${shard}`));
  } catch (e) {
    for (const s of shards.values()) await s.close();
    throw e;
  }
  const shardOf = (name: string) => {
    const shard = weightMap[name];
    return shard === undefined ? undefined : shards.get(shard);
  };
  return {
    source: dir,
    names: () => Object.keys(weightMap),
    info: (name) => shardOf(name)?.info(name),
    readInto: async (name, out) => {
      const shard = shardOf(name);
      if (!shard) failModelFile(indexFile, `tensor ${name}`, "missing");
      await shard.readInto(name, out);
    },
    readBytes: async (name, offset, target) => {
      const shard = shardOf(name);
      if (!shard) failModelFile(indexFile, `tensor ${name}`, "missing");
      await shard.readBytes(name, offset, target);
    },
    close: async () => {
      for (const s of shards.values()) await s.close();
    },
  };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
