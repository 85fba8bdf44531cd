import type { FileHandle } from "node:fs/promises";
import { PvaError } from "@pva/core";
import { WEIGHT_TYPE_LAYOUT, type WeightType, weightRowBytes } from "../kernels/weight-matrix.js";
import { decodeRows, firstNonFiniteValue } from "../weight-codecs/weight-codec.js";

/** Bytes read per step when a tensor is decoded or copied. */
export const READ_CHUNK_BYTES = 1 << 20;

/** A tensor as a checkpoint file describes it; `shape` is row-major (outermost first). */
export interface StoredTensor {
  name: string;
  shape: number[];
  /** The file's own name for the element type (safetensors dtype, ggml type name). */
  dtype: string;
  /** How the runtime reads it; undefined for a type it cannot read (I64, Q2_K, ...). */
  weightType: WeightType | undefined;
}

/**
 * Read access to the tensors of one checkpoint, whatever its format. Rows are stored one after
 * another (the last dimension is the row), each a whole number of the type's blocks, so a reader
 * can copy or decode any run of rows on its own.
 */
export interface TensorStore {
  /** What to name in errors: the file, or the folder for sharded checkpoints. */
  readonly source: string;
  names(): string[];
  info(name: string): StoredTensor | undefined;
  /** Decodes the whole tensor to F32 into `out` (length = element count) and rejects NaN/Inf. */
  readInto(name: string, out: Float32Array): Promise<void>;
  /** Copies `target.length` stored bytes of the tensor, from byte `offset` of its data, into `target`. */
  readBytes(name: string, offset: number, target: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A broken checkpoint is the user's to fix: one line naming the file and the part of it. */
export function failModelFile(file: string, what: string, message: string): never {
  throw new PvaError(`${file}: ${what}: ${message}`, "E_MODEL_FILE");
}

/** Reads exactly `length` bytes at `position`; a short read means the file was cut off. */
export async function readExactly(
  handle: FileHandle,
  target: Uint8Array,
  position: number,
  file: string,
  what: string,
): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0)
      failModelFile(file, what, `file is truncated (needs ${position + target.length} bytes)`);
    done += bytesRead;
  }
}

/** The row length of a stored tensor: its last dimension (a vector is one row). */
export function rowLength(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1];
}

/**
 * Rejects stored values that decode to NaN or Inf (they would silently poison every activation).
 * `values` counts the elements in `bytes` from `offset`; `firstElement` is where they start in the tensor.
 */
export function assertFiniteStored(
  type: WeightType,
  bytes: Uint8Array,
  offset: number,
  values: number,
  file: string,
  tensor: string,
  firstElement = 0,
): void {
  const at = firstNonFiniteValue(type, bytes, offset, values);
  if (at < 0) return;
  const { blockElements, blockBytes } = WEIGHT_TYPE_LAYOUT[type];
  if (blockElements > 1)
    failModelFile(file, `tensor ${tensor}`, `non-finite scale in the block at element ${firstElement + at}`);
  const value = new Float32Array(1);
  decodeRows(type, bytes, offset + at * blockBytes, 1, 1, value);
  failModelFile(file, `tensor ${tensor}`, `non-finite value ${value[0]} at element ${firstElement + at}`);
}

/**
 * readInto for any store: decodes the tensor a chunk of rows at a time (F32 goes straight into
 * `out`'s bytes), so a tensor never sits in memory twice.
 */
export async function decodeTensorInto(
  store: Pick<TensorStore, "readBytes" | "source">,
  info: StoredTensor,
  out: Float32Array,
  file = store.source,
): Promise<void> {
  const where = `tensor ${info.name}`;
  const count = elementCount(info.shape);
  if (out.length !== count) failModelFile(file, where, `expected ${out.length} elements, file has ${count}`);
  const type = info.weightType;
  if (type === undefined) failModelFile(file, where, `type ${info.dtype} is not supported`);
  const cols = rowLength(info.shape);
  const rows = count / Math.max(cols, 1);
  if (count === 0) return;
  const rowBytes = weightRowBytes(type, cols);
  if (type === "f32") {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, count * 4);
    await store.readBytes(info.name, 0, bytes);
    assertFiniteStored(type, bytes, 0, count, file, info.name);
    return;
  }
  const step = Math.max(1, Math.floor(READ_CHUNK_BYTES / rowBytes));
  const chunk = new Uint8Array(Math.min(step, rows) * rowBytes);
  for (let first = 0; first < rows; first += step) {
    const n = Math.min(step, rows - first);
    const view = chunk.subarray(0, n * rowBytes);
    await store.readBytes(info.name, first * rowBytes, view);
    assertFiniteStored(type, view, 0, n * cols, file, info.name, first * cols);
    decodeRows(type, view, 0, n, cols, out, first * cols);
  }
}
