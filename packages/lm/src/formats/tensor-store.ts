import type { FileHandle } from "node:fs/promises";
import { PvaError } from "@pva/core";

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
      throw new PvaError(
        `${file}: ${what}: file is truncated (needs ${position + target.length} bytes)`,
        "E_MODEL_FILE",
      );
    done += bytesRead;
  }
}

/** Weights with NaN or Inf would silently poison every activation; refuse them at load. */
export function assertFinite(values: Float32Array, file: string, tensor: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!(Math.abs(values[i]) <= 3.4028234663852886e38))
      throw new PvaError(
        `${file}: tensor ${tensor}: non-finite value ${values[i]} at element ${i}`,
        "E_MODEL_FILE",
      );
  }
}
