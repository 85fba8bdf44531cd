import { availableParallelism, freemem } from "node:os";
import { PvaError } from "@pva/core";
import { elementCount, rowLength, type TensorStore } from "./formats/tensor-store.js";
import { extraMemoryBytes } from "./kernels/wasm-backend.js";
import { WEIGHT_TYPE_LAYOUT, type WeightType } from "./kernels/weight-matrix.js";
import { memoryWeightType, type QuantizeType, storedBytes } from "./weights.js";

/** What a checkpoint holds and what loading it takes, read from its headers alone. */
export interface ModelFootprint {
  /** Every stored value, vectors included. */
  parameters: number;
  /** Parameters per stored type, in the file's names (F32, BF16, Q4_K, ...). */
  storedTypes: Record<string, number>;
  /** Bytes of tensor data in the file(s). */
  storedBytes: number;
  /** Parameters per type once loaded (runtime names: f32, bf16, q4_k, ...). */
  memoryTypes: Record<string, number>;
  /** Bytes the weights take once loaded, with the backend's types and any quantize option. */
  memoryBytes: number;
}

/**
 * A 2-D `*weight` tensor other than a norm or a position table is a linear weight (or the token
 * embedding), which the loader keeps in its stored type or quantizes; everything else is F32.
 */
function isMatrix(name: string, shape: readonly number[]): boolean {
  return (
    shape.length === 2 &&
    name.endsWith("weight") &&
    !/norm|position_embd|wpe\.|rope_freqs|embed_positions/.test(name)
  );
}

export function modelFootprint(
  store: TensorStore,
  backendTypes: ReadonlySet<WeightType>,
  quantize?: QuantizeType,
): ModelFootprint {
  const footprint: ModelFootprint = {
    parameters: 0,
    storedTypes: {},
    storedBytes: 0,
    memoryTypes: {},
    memoryBytes: 0,
  };
  for (const name of store.names()) {
    const info = store.info(name);
    if (!info) continue;
    const count = elementCount(info.shape);
    footprint.parameters += count;
    footprint.storedTypes[info.dtype] = (footprint.storedTypes[info.dtype] ?? 0) + count;
    footprint.storedBytes += storedBytes(info);
    const stored = info.weightType ?? "f32";
    const type: WeightType = isMatrix(name, info.shape)
      ? memoryWeightType(stored, rowLength(info.shape), backendTypes, quantize)
      : "f32";
    footprint.memoryTypes[type] = (footprint.memoryTypes[type] ?? 0) + count;
    const { blockElements, blockBytes } = WEIGHT_TYPE_LAYOUT[type];
    footprint.memoryBytes += Math.ceil(count / blockElements) * blockBytes;
  }
  return footprint;
}

/**
 * Room for activations, the KV cache and the runtime itself on top of the weights, and for the
 * extra WebAssembly memories of a model past one memory's share (their workers and staging).
 */
export function memoryNeeded(footprint: ModelFootprint, threads = availableParallelism()): number {
  return (
    Math.ceil(footprint.memoryBytes * 1.05) + 256 * 2 ** 20 + extraMemoryBytes(footprint.memoryBytes, threads)
  );
}

/** Memory this process can still use: free memory, capped by a cgroup limit when there is one. */
export function availableMemory(): number {
  const free = freemem();
  const limit = process.constrainedMemory?.() ?? 0;
  if (!limit || limit >= Number.MAX_SAFE_INTEGER) return free;
  return Math.min(free, Math.max(0, limit - process.memoryUsage().rss));
}

export function gigabytes(bytes: number): string {
  return `${(bytes / 1e9).toFixed(bytes < 1e8 ? 3 : 1)} GB`;
}

/**
 * Refuses, before any weight is read, a model whose weights cannot fit in `available` bytes:
 * one line with what it needs and what to try.
 */
export function assertFits(
  source: string,
  footprint: ModelFootprint,
  available: number,
  quantize?: QuantizeType,
): void {
  const need = memoryNeeded(footprint);
  if (need <= available) return;
  const floatParameters =
    (footprint.storedTypes.F32 ?? 0) + (footprint.storedTypes.F16 ?? 0) + (footprint.storedTypes.BF16 ?? 0);
  const mostlyFloat = floatParameters > footprint.parameters / 2;
  const tries = [
    mostlyFloat && quantize !== "q8_0" && quantize !== "q4_k" && quantize !== "q4_0"
      ? `--quantize q8_0 (loadModel(src, { quantize: "q8_0" }): about ${gigabytes(footprint.parameters * (34 / 32))})`
      : null,
    "a smaller quantization (a Q4_K_M GGUF takes about 0.6 bytes per parameter)",
    "a smaller model",
    "closing other programs",
  ].filter((t) => t !== null);
  throw new PvaError(
    `${source}: needs about ${gigabytes(need)} of memory to load (${gigabytes(footprint.memoryBytes)} of weights) but ${gigabytes(available)} is free; try ${tries.join(", or ")}`,
    "E_MODEL_MEMORY",
  );
}
