import type { FileHandle } from "node:fs/promises";
import { PvaError } from "@pva/core";
import { decodeBf16, decodeF16 } from "./half-float.js";

/** Bytes of half floats decoded per step. */
const HALF_FLOAT_CHUNK_BYTES = 1 << 20;

/** A tensor as a checkpoint file describes it; `shape` is row-major (outermost first). */
export interface StoredTensor {
  name: string;
  shape: number[];
  dtype: string;
}

/**
 * Read access to the tensors of one checkpoint, whatever its format. Reading decodes into a
 * caller-owned Float32Array (the compute backend's memory), so weights are never held twice.
 */
export interface TensorStore {
  /** What to name in errors: the file, or the folder for sharded checkpoints. */
  readonly source: string;
  names(): string[];
  info(name: string): StoredTensor | undefined;
  /** Decodes the tensor into `out` (length = element count) and rejects NaN/Inf. */
  readInto(name: string, out: Float32Array): Promise<void>;
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

/**
 * Reads `out.length` F32, F16 or BF16 values stored little-endian at `position` into `out`. F32
 * goes straight into the destination's bytes; half floats are decoded a chunk at a time, so a
 * tensor never sits in memory twice.
 */
export async function readFloatsInto(
  handle: FileHandle,
  dtype: "F32" | "F16" | "BF16",
  out: Float32Array,
  position: number,
  file: string,
  what: string,
): Promise<void> {
  const count = out.length;
  if (dtype === "F32") {
    await readExactly(handle, new Uint8Array(out.buffer, out.byteOffset, count * 4), position, file, what);
    return;
  }
  const decode = dtype === "F16" ? decodeF16 : decodeBf16;
  const chunk = new Uint8Array(Math.min(HALF_FLOAT_CHUNK_BYTES, count * 2));
  for (let done = 0; done < count; ) {
    const n = Math.min(chunk.length / 2, count - done);
    const view = chunk.subarray(0, n * 2);
    await readExactly(handle, view, position + done * 2, file, what);
    decode(view, out, done, n);
    done += n;
  }
}

/** Weights with NaN or Inf would silently poison every activation; refuse them at load. */
export function assertFinite(values: Float32Array, file: string, tensor: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!(Math.abs(values[i]) <= 3.4028234663852886e38))
      failModelFile(file, `tensor ${tensor}`, `non-finite value ${values[i]} at element ${i}`);
  }
}
