import { once } from "node:events";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ComputeBackend } from "./compute-backend.js";
import { checkMatmulShapes } from "./js-backend.js";
import { loadMatmulWasm, type MatmulWasmExports } from "./matmul-wasm-module.js";
import { WasmHeap } from "./wasm-heap.js";

/** The control block the threads share lives at the start of memory (layout in assembly/matmul.ts). */
const CONTROL_ADDRESS = 0;
const CONTROL_BYTES = 256;

/** Below this many multiply-adds, waking a worker costs more than it saves. */
const MIN_PARALLEL_MADDS = 1 << 17;

/** Each thread claims about this many chunks per matmul, so a thread slowed by other load gets fewer. */
const CHUNKS_PER_THREAD = 8;

/**
 * A worker only instantiates the shared module on the shared memory and enters the wasm loop;
 * eval'd source needs no file path, so it works the same from src/ (tests) and dist/.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, control } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
parentPort.postMessage("ready");
instance.exports.workerLoop(control, 0);
`;

export interface WasmBackend extends ComputeBackend {
  /** Whether the kernels use fused multiply-add (relaxed-simd). */
  readonly fused: boolean;
  /** Returns an array from allocF32 to the heap; it must not be used afterwards. */
  free(array: Float32Array): void;
  /** Bytes of WebAssembly memory handed out so far (weights, activations, staging). */
  readonly heapBytes: number;
}

/**
 * WebAssembly SIMD matmul on one shared memory, split across worker threads by output columns.
 * Arrays from allocF32 are read in place; other arrays are copied through a staging area.
 */
export async function createWasmBackend(
  opts: { threads?: number; fused?: boolean } = {},
): Promise<WasmBackend> {
  const threads = Math.max(1, Math.floor(opts.threads ?? availableParallelism()));
  const { module, fused } = await loadMatmulWasm({ fused: opts.fused });
  const heap = new WasmHeap(CONTROL_ADDRESS + CONTROL_BYTES);
  const kernels = new WebAssembly.Instance(module, { env: { memory: heap.memory } })
    .exports as unknown as MatmulWasmExports;
  const workers = await startWorkers(threads - 1, module, heap.memory);
  const staging = new StagingArea(heap);
  let disposed = false;

  return {
    kind: "wasm",
    threads,
    fused,
    allocF32: (length) => heap.allocF32(length),
    free: (array) => heap.free(array),
    get heapBytes() {
      return heap.highWaterBytes;
    },
    matmul: async (out, x, w, rows, inDim, outDim, bias) => {
      if (disposed) throw new Error("matmul: backend disposed");
      checkMatmulShapes(out, x, w, rows, inDim, outDim, bias);
      if (rows === 0 || outDim === 0) return;
      const xAddress = heap.addressOf(x) ?? staging.copyIn("x", x, rows * inDim);
      const wAddress = heap.addressOf(w) ?? staging.copyIn("w", w, outDim * inDim);
      const biasAddress = bias ? (heap.addressOf(bias) ?? staging.copyIn("bias", bias, outDim)) : 0;
      const directOut = heap.addressOf(out);
      const outAddress = directOut ?? staging.reserve("out", rows * outDim);
      const madds = rows * inDim * outDim;
      if (workers.length === 0 || madds < MIN_PARALLEL_MADDS) {
        kernels.matmulColumns(outAddress, xAddress, wAddress, biasAddress, rows, inDim, outDim, 0, outDim);
      } else {
        const chunk = Math.max(4, Math.ceil(outDim / (threads * CHUNKS_PER_THREAD) / 4) * 4);
        kernels.postJob(
          CONTROL_ADDRESS,
          outAddress,
          xAddress,
          wAddress,
          biasAddress,
          rows,
          inDim,
          outDim,
          chunk,
        );
        kernels.workOnJob(CONTROL_ADDRESS);
        kernels.waitForWorkers(CONTROL_ADDRESS, workers.length);
      }
      if (directOut === undefined) out.set(staging.view("out", rows * outDim));
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      kernels.postQuit(CONTROL_ADDRESS);
      // Workers are unref'd; without ref() an otherwise idle process would exit mid-await.
      await Promise.all(
        workers.map((worker) => {
          worker.ref();
          return once(worker, "exit");
        }),
      );
    },
  };
}

async function startWorkers(
  count: number,
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
): Promise<Worker[]> {
  const workers = Array.from(
    { length: count },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control: CONTROL_ADDRESS } }),
  );
  try {
    await Promise.all(workers.map((worker) => once(worker, "message")));
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  }
  // A backend that is never disposed must not keep the process alive.
  for (const worker of workers) worker.unref();
  return workers;
}

/** Heap copies of arrays the caller did not allocate with allocF32, one slot per operand, grow-only. */
class StagingArea {
  private readonly slots = new Map<string, Float32Array>();

  constructor(private readonly heap: WasmHeap) {}

  copyIn(slot: string, source: Float32Array, length: number): number {
    const target = this.slot(slot, length);
    target.set(source.subarray(0, length));
    return this.heap.addressOf(target)!;
  }

  reserve(slot: string, length: number): number {
    return this.heap.addressOf(this.slot(slot, length))!;
  }

  view(slot: string, length: number): Float32Array {
    return this.slot(slot, length).subarray(0, length);
  }

  private slot(name: string, length: number): Float32Array {
    let array = this.slots.get(name);
    if (!array || array.length < length) {
      if (array) this.heap.free(array);
      array = this.heap.allocF32(length);
      this.slots.set(name, array);
    }
    return array;
  }
}
