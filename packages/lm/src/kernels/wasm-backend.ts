import { once } from "node:events";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { attendCausal } from "../attention.js";
import {
  type ComputeBackend,
  checkAttentionShapes,
  checkMatmulShapes,
  checkSiluMulShapes,
  isPlainAttention,
  unsupportedWeightType,
} from "./compute-backend.js";
import { type KernelExports, loadKernelsWasm } from "./kernels-wasm-module.js";
import { createSharedMemory, WasmHeap } from "./wasm-heap.js";
import { type WeightMatrix, type WeightType, weightMatrixBytes } from "./weight-matrix.js";

/**
 * The weight types the matmul kernel reads as stored (the loader decodes others to F32), with the
 * ids assembly/decode.ts gives them.
 */
export const WASM_WEIGHT_TYPE_IDS: Readonly<Partial<Record<WeightType, number>>> = {
  f32: 0,
  f16: 1,
  bf16: 2,
  q8_0: 3,
  q4_0: 4,
  q4_k: 5,
  q5_k: 6,
  q6_k: 7,
};
const WEIGHT_TYPES: ReadonlySet<WeightType> = new Set(Object.keys(WASM_WEIGHT_TYPE_IDS) as WeightType[]);

/** Bytes of the control block the threads share (layout in assembly/jobs.ts). */
const CONTROL_BYTES = 256;

/** Below this many multiply-adds, waking a worker costs more than it saves. */
const MIN_PARALLEL_MADDS = 1 << 17;

/** Below this many elements an activation is not worth sharing. */
const MIN_PARALLEL_ELEMENTS = 1 << 14;

/** Each thread claims about this many chunks per call, so a thread slowed by other load gets fewer. */
const CHUNKS_PER_THREAD = 16;

/**
 * A worker only instantiates the shared module on the shared memory and runs jobs until told to
 * quit (see workerStep in assembly/jobs.ts); eval'd source needs no file path, so it works the
 * same from src/ (tests) and dist/.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, control, thread } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
parentPort.postMessage("ready");
let seen = 0;
while ((seen = instance.exports.workerStep(control, seen, thread)) >= 0);
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
 * WebAssembly SIMD kernels on one shared memory, each call split across worker threads (by output
 * columns for matmul, by (head, token) rows for attention). Arrays from allocF32 are read in
 * place; other arrays are copied through a staging area.
 */
export async function createWasmBackend(
  opts: { threads?: number; fused?: boolean } = {},
): Promise<WasmBackend> {
  const threads = Math.max(1, Math.floor(opts.threads ?? availableParallelism()));
  const { module, fused } = await loadKernelsWasm({ fused: opts.fused });
  const memory = createSharedMemory();
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const heap = new WasmHeap(memory, kernels.staticDataEnd());
  const control = heap.addressOf(heap.allocF32(CONTROL_BYTES / 4))!;
  const workers = await startWorkers(threads - 1, module, memory, control);
  const staging = new StagingArea(heap);
  const panels = new PanelScratch(heap, threads, kernels.panelRows());
  let disposed = false;

  /** Runs a posted job on this thread too (thread 0), then waits for the chunks the workers claimed. */
  const shareJob = () => {
    kernels.workOnJob(control, kernels.currentGeneration(control), 0);
    kernels.waitForJob(control);
  };
  const chunkOf = (items: number, multiple: number) =>
    Math.max(multiple, Math.ceil(items / (threads * CHUNKS_PER_THREAD) / multiple) * multiple);
  const checkAlive = (what: string) => {
    if (disposed) throw new Error(`${what}: backend disposed`);
  };

  return {
    kind: "wasm",
    threads,
    fused,
    weightTypes: WEIGHT_TYPES,
    allocF32: (length) => heap.allocF32(length),
    allocWeights: (type, rows, cols) => {
      if (!WEIGHT_TYPES.has(type)) throw unsupportedWeightType("wasm", type);
      const bytes = weightMatrixBytes(type, rows, cols);
      const words = heap.allocF32(Math.ceil(bytes / 4));
      return { type, rows, cols, data: new Uint8Array(words.buffer, words.byteOffset, bytes) };
    },
    free: (array) => heap.free(array),
    get heapBytes() {
      return heap.highWaterBytes;
    },
    matmul: async (out, x, w, rows, bias) => {
      checkAlive("matmul");
      checkMatmulShapes(out, x, w, rows, bias);
      const typeId = WASM_WEIGHT_TYPE_IDS[w.type];
      if (typeId === undefined) throw unsupportedWeightType("wasm", w.type);
      const { cols: inDim, rows: outDim } = w;
      if (rows === 0 || outDim === 0) return;
      const xAt = heap.addressOf(x) ?? staging.copyIn("x", x, rows * inDim);
      const wAt = heap.addressOf(w.data) ?? staging.copyBytesIn("w", w);
      const biasAt = bias ? (heap.addressOf(bias) ?? staging.copyIn("bias", bias, outDim)) : 0;
      const directOut = heap.addressOf(out);
      const outAt = directOut ?? staging.reserve("out", rows * outDim);
      const panel = typeId === 0 ? { at: 0, stride: 0 } : panels.forInDim(inDim);
      if (workers.length === 0 || rows * inDim * outDim < MIN_PARALLEL_MADDS) {
        kernels.matmulColumns(outAt, xAt, wAt, biasAt, rows, inDim, outDim, 0, outDim, typeId, panel.at);
      } else {
        // Chunks of 4 columns keep the one-row tile (4 weight rows) and the decoded panel whole.
        const chunk = chunkOf(outDim, 4);
        kernels.postMatmul(
          control,
          outAt,
          xAt,
          wAt,
          biasAt,
          rows,
          inDim,
          outDim,
          chunk,
          typeId,
          panel.at,
          panel.stride,
        );
        shareJob();
      }
      if (directOut === undefined) out.set(staging.view("out", rows * outDim));
    },
    attention: async (out, q, keys, values, tokens, start, numHeads, numKvHeads, headDim, options) => {
      checkAlive("attention");
      checkAttentionShapes(out, q, keys, values, tokens, start, numHeads, numKvHeads, headDim);
      if (tokens === 0) return;
      // The SIMD kernel computes plain attention; the variants (scale, soft-cap, window) run the
      // readable reference on the same memory until the kernel learns them.
      if (!isPlainAttention(options, headDim)) {
        const shape = { tokens, start, numHeads, numKvHeads, headDim, ...options };
        const scratch = new Float32Array(start + tokens);
        attendCausal(q, keys, values, out, scratch, new Float64Array(headDim), shape);
        return;
      }
      const qLength = tokens * numHeads * headDim;
      const kvLength = (start + tokens) * numKvHeads * headDim;
      const qAt = heap.addressOf(q) ?? staging.copyIn("q", q, qLength);
      const keysAt = heap.addressOf(keys) ?? staging.copyIn("keys", keys, kvLength);
      const valuesAt = heap.addressOf(values) ?? staging.copyIn("values", values, kvLength);
      const directOut = heap.addressOf(out);
      const outAt = directOut ?? staging.reserve("out", qLength);
      const rows = numHeads * tokens;
      const madds = rows * (start + (tokens + 1) / 2) * headDim * 2;
      if (workers.length === 0 || madds < MIN_PARALLEL_MADDS) {
        kernels.attentionRows(
          outAt,
          qAt,
          keysAt,
          valuesAt,
          tokens,
          start,
          numHeads,
          numKvHeads,
          headDim,
          0,
          rows,
        );
      } else {
        kernels.postAttention(
          control,
          outAt,
          qAt,
          keysAt,
          valuesAt,
          tokens,
          start,
          numHeads,
          numKvHeads,
          headDim,
          chunkOf(rows, 1),
        );
        shareJob();
      }
      if (directOut === undefined) out.set(staging.view("out", qLength));
    },
    siluMul: async (gate, up, length) => {
      checkAlive("siluMul");
      checkSiluMulShapes(gate, up, length);
      const directGate = heap.addressOf(gate);
      const gateAt = directGate ?? staging.copyIn("gate", gate, length);
      const upAt = heap.addressOf(up) ?? staging.copyIn("up", up, length);
      if (workers.length === 0 || length < MIN_PARALLEL_ELEMENTS) kernels.siluMul(gateAt, upAt, length);
      else {
        // Work items are blocks of 256 elements (assembly/jobs.ts).
        kernels.postSiluMul(control, gateAt, upAt, length, chunkOf(Math.ceil(length / 256), 1));
        shareJob();
      }
      if (directGate === undefined) gate.set(staging.view("gate", length));
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      kernels.postQuit(control);
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
  control: number,
): Promise<Worker[]> {
  const workers = Array.from(
    { length: count },
    // execArgv: [] so the source is always run as a script, even under --input-type=module.
    (_, i) =>
      new Worker(WORKER_SOURCE, {
        eval: true,
        execArgv: [],
        workerData: { module, memory, control, thread: i + 1 },
      }),
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

/**
 * Per-thread scratch into which the matmul kernel decodes panels of non-F32 weight rows: one
 * slot of panelRows * inDim floats per thread, grown (never shrunk) to the widest inDim seen.
 */
class PanelScratch {
  private slots: Float32Array | undefined;
  private stride = 0;

  constructor(
    private readonly heap: WasmHeap,
    private readonly threads: number,
    private readonly panelRows: number,
  ) {}

  /** The first thread's slot address, and the bytes from one thread's slot to the next. */
  forInDim(inDim: number): { at: number; stride: number } {
    const stride = Math.ceil((this.panelRows * inDim) / 16) * 64;
    if (!this.slots || stride > this.stride) {
      if (this.slots) this.heap.free(this.slots);
      this.slots = this.heap.allocF32((stride / 4) * this.threads);
      this.stride = stride;
    }
    return { at: this.heap.addressOf(this.slots)!, stride: this.stride };
  }
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

  /** Copies a matrix's bytes (which need not be 4-aligned) into a slot. */
  copyBytesIn(slot: string, matrix: WeightMatrix): number {
    const target = this.slot(slot, Math.ceil(matrix.data.length / 4));
    new Uint8Array(target.buffer, target.byteOffset, matrix.data.length).set(matrix.data);
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
