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
  /** Bytes of WebAssembly memory handed out so far (weights, activations, staging), all memories together. */
  readonly heapBytes: number;
  /** WebAssembly memories opened so far (a model past one memory's share spreads over several). */
  readonly memories: number;
}

/**
 * What one memory takes before the next is opened: wasm32's 4 GiB less 256 MiB that each memory
 * keeps for staging activations that live in another memory (bounded per call by STAGING_FLOATS)
 * and, on long contexts, the KV cache copies attention reads.
 */
export const DEFAULT_BYTES_PER_MEMORY = 4 * 2 ** 30 - 256 * 2 ** 20;

/**
 * Memory that spreading `weightBytes` of weights over several memories takes beyond the weights
 * (a model within one memory's share: none): per memory past the first, its workers (measured
 * about 7 MiB each, see the README) and its staging of activations (two passes of
 * STAGING_FLOATS). Matrices do not pack memories exactly, so this counts one memory more.
 */
export function extraMemoryBytes(weightBytes: number, threads: number): number {
  const memories = Math.ceil(weightBytes / DEFAULT_BYTES_PER_MEMORY);
  if (memories <= 1) return 0;
  return memories * ((threads - 1) * 8 * 2 ** 20 + 2 * STAGING_FLOATS * 4);
}

/**
 * Floats of activation rows staged into another memory per kernel call (16 MiB), so staging in a
 * full memory stays bounded; a matmul over more rows runs in passes.
 */
const STAGING_FLOATS = 1 << 22;

export interface WasmBackendOptions {
  threads?: number;
  fused?: boolean;
  /**
   * Bytes of arrays one WebAssembly memory takes before the next one is opened (default
   * DEFAULT_BYTES_PER_MEMORY). An array larger than this gets a memory of its own, up to wasm32's
   * 4 GiB. Tests lower it to spread a small model over several memories.
   */
  bytesPerMemory?: number;
}

/**
 * One WebAssembly memory with its own instance of the kernels, control block and worker threads
 * (threads - 1 of them, started when the memory is opened), so each memory's kernels run on all
 * cores. Arrays of one memory are read in place by its kernels; arrays of another are staged.
 */
interface Shard {
  memory: WebAssembly.Memory;
  kernels: KernelExports;
  heap: WasmHeap;
  control: number;
  workers: Worker[];
  /** Settles when every worker has instantiated the kernels (rejects if one failed to start). */
  ready: Promise<void>;
  started: boolean;
  /** The heap's size right after opening: a memory still at it holds no array yet. */
  emptyBytes: number;
  staging: StagingArea;
  panels: PanelScratch;
}

/**
 * WebAssembly SIMD kernels on shared memories, each call split across worker threads (by output
 * columns for matmul, by (head, token) rows for attention). Arrays from allocF32 are read in
 * place; other arrays are copied through a staging area.
 *
 * One wasm32 memory addresses 4 GiB, and Node 20 has neither memory64 nor multi-memory without
 * flags (see the README), so a model larger than one memory spreads over several: allocations
 * fill the newest memory up to `bytesPerMemory`, then open another, each with its own instance
 * and workers. A matmul runs in the memory that holds its weights; activations from another
 * memory are copied in and the result copied back (cheap next to reading the weights).
 */
export async function createWasmBackend(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
  const threads = Math.max(1, Math.floor(opts.threads ?? availableParallelism()));
  const bytesPerMemory = opts.bytesPerMemory ?? DEFAULT_BYTES_PER_MEMORY;
  if (!(bytesPerMemory > 0)) throw new RangeError(`createWasmBackend: bad bytesPerMemory ${bytesPerMemory}`);
  const { module, fused } = await loadKernelsWasm({ fused: opts.fused });
  const shards: Shard[] = [openShard(module, threads)];
  await shards[0].ready.catch(async (error) => {
    await Promise.all(shards[0].workers.map((worker) => worker.terminate()));
    throw error;
  });
  shards[0].started = true;
  let disposed = false;

  /** The memory an array lives in (and its address there), if any. */
  const ownerOf = (view: ArrayBufferView | undefined): Shard | undefined => {
    if (!view) return undefined;
    return shards.find((shard) => shard.heap.addressOf(view) !== undefined);
  };
  /** The newest memory with room for `length` floats within its share, else a new one. */
  const shardFor = (length: number): Shard => {
    for (let i = shards.length - 1; i >= 0; i--) {
      const shard = shards[i];
      if (shard.heap.fitsBelow(length, bytesPerMemory) || shard.heap.highWaterBytes === shard.emptyBytes)
        return shard;
    }
    const opened = openShard(module, threads);
    // Errors surface when the shard's first kernel call awaits `ready`; until then none is unhandled.
    opened.ready.catch(() => undefined);
    shards.push(opened);
    return opened;
  };
  /** Waits once for a memory's workers (a call posted before they run would only lack their help). */
  const use = async (shard: Shard): Promise<Shard> => {
    if (!shard.started) {
      await shard.ready;
      shard.started = true;
    }
    return shard;
  };
  /** Runs a posted job on this thread too (thread 0), then waits for the chunks the workers claimed. */
  const shareJob = ({ kernels, control }: Shard) => {
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
    allocF32: (length) => shardFor(length).heap.allocF32(length),
    allocWeights: (type, rows, cols) => {
      if (!WEIGHT_TYPES.has(type)) throw unsupportedWeightType("wasm", type);
      const bytes = weightMatrixBytes(type, rows, cols);
      const length = Math.ceil(bytes / 4);
      const words = shardFor(length).heap.allocF32(length);
      return { type, rows, cols, data: new Uint8Array(words.buffer, words.byteOffset, bytes) };
    },
    free: (array) => {
      const shard = ownerOf(array);
      if (!shard) throw new RangeError("free: array was not allocated here");
      shard.heap.free(array);
    },
    get heapBytes() {
      return shards.reduce((sum, shard) => sum + shard.heap.highWaterBytes, 0);
    },
    get memories() {
      return shards.length;
    },
    matmul: async (out, x, w, rows, bias) => {
      checkAlive("matmul");
      checkMatmulShapes(out, x, w, rows, bias);
      const typeId = WASM_WEIGHT_TYPE_IDS[w.type];
      if (typeId === undefined) throw unsupportedWeightType("wasm", w.type);
      const { cols: inDim, rows: outDim } = w;
      if (rows === 0 || outDim === 0) return;
      // The weights' memory computes: activations are far smaller than weights to copy.
      const shard = await use(ownerOf(w.data) ?? ownerOf(out) ?? shards[0]);
      const { heap, staging, kernels, control } = shard;
      const wAt = heap.addressOf(w.data) ?? staging.copyBytesIn("w", w);
      const biasAt = bias ? (heap.addressOf(bias) ?? staging.copyIn("bias", bias, outDim)) : 0;
      const directX = heap.addressOf(x);
      const directOut = heap.addressOf(out);
      const panel = typeId === 0 ? { at: 0, stride: 0 } : shard.panels.forInDim(inDim);
      const step =
        directX !== undefined && directOut !== undefined ? rows : stagedRows(rows, Math.max(inDim, outDim));
      for (let first = 0; first < rows; first += step) {
        const n = Math.min(step, rows - first);
        const xAt =
          directX !== undefined
            ? directX + first * inDim * 4
            : staging.copyIn("x", x.subarray(first * inDim), n * inDim);
        const outAt =
          directOut !== undefined ? directOut + first * outDim * 4 : staging.reserve("out", n * outDim);
        if (shard.workers.length === 0 || n * inDim * outDim < MIN_PARALLEL_MADDS) {
          kernels.matmulColumns(outAt, xAt, wAt, biasAt, n, inDim, outDim, 0, outDim, typeId, panel.at);
        } else {
          // Chunks of 4 columns keep the one-row tile (4 weight rows) and the decoded panel whole.
          const chunk = chunkOf(outDim, 4);
          kernels.postMatmul(
            control,
            outAt,
            xAt,
            wAt,
            biasAt,
            n,
            inDim,
            outDim,
            chunk,
            typeId,
            panel.at,
            panel.stride,
          );
          shareJob(shard);
        }
        if (directOut === undefined) out.set(staging.view("out", n * outDim), first * outDim);
      }
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
      const shard = await use(ownerOf(out) ?? ownerOf(q) ?? shards[0]);
      const { heap, staging, kernels, control } = shard;
      const qLength = tokens * numHeads * headDim;
      const kvLength = (start + tokens) * numKvHeads * headDim;
      const qAt = heap.addressOf(q) ?? staging.copyIn("q", q, qLength);
      const keysAt = heap.addressOf(keys) ?? staging.copyIn("keys", keys, kvLength);
      const valuesAt = heap.addressOf(values) ?? staging.copyIn("values", values, kvLength);
      const directOut = heap.addressOf(out);
      const outAt = directOut ?? staging.reserve("out", qLength);
      const rows = numHeads * tokens;
      const madds = rows * (start + (tokens + 1) / 2) * headDim * 2;
      if (shard.workers.length === 0 || madds < MIN_PARALLEL_MADDS) {
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
        shareJob(shard);
      }
      if (directOut === undefined) out.set(staging.view("out", qLength));
    },
    siluMul: async (gate, up, length) => {
      checkAlive("siluMul");
      checkSiluMulShapes(gate, up, length);
      const shard = await use(ownerOf(gate) ?? ownerOf(up) ?? shards[0]);
      const { heap, staging, kernels, control } = shard;
      const directGate = heap.addressOf(gate);
      const gateAt = directGate ?? staging.copyIn("gate", gate, length);
      const upAt = heap.addressOf(up) ?? staging.copyIn("up", up, length);
      if (shard.workers.length === 0 || length < MIN_PARALLEL_ELEMENTS) kernels.siluMul(gateAt, upAt, length);
      else {
        // Work items are blocks of 256 elements (assembly/jobs.ts).
        kernels.postSiluMul(control, gateAt, upAt, length, chunkOf(Math.ceil(length / 256), 1));
        shareJob(shard);
      }
      if (directGate === undefined) gate.set(staging.view("gate", length));
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      for (const shard of shards) shard.kernels.postQuit(shard.control);
      // Workers are unref'd; without ref() an otherwise idle process would exit mid-await.
      await Promise.all(
        shards.flatMap((shard) =>
          shard.workers.map((worker) => {
            worker.ref();
            return once(worker, "exit");
          }),
        ),
      );
    },
  };
}

/**
 * Rows of a matmul staged per pass: all of them when they fit STAGING_FLOATS, else a multiple of
 * 4 (the kernel's row tile, so each row sees the same tile as in one pass).
 */
function stagedRows(rows: number, width: number): number {
  if (rows * width <= STAGING_FLOATS) return rows;
  return Math.max(4, Math.floor(STAGING_FLOATS / width / 4) * 4);
}

/** A new memory, its instance of the kernels, its control block and its workers (starting). */
function openShard(module: WebAssembly.Module, threads: number): Shard {
  const memory = createSharedMemory();
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const heap = new WasmHeap(memory, kernels.staticDataEnd());
  const control = heap.addressOf(heap.allocF32(CONTROL_BYTES / 4))!;
  const { workers, ready } = startWorkers(threads - 1, module, memory, control);
  return {
    memory,
    kernels,
    heap,
    control,
    workers,
    ready,
    started: false,
    emptyBytes: heap.highWaterBytes,
    staging: new StagingArea(heap),
    panels: new PanelScratch(heap, threads, kernels.panelRows()),
  };
}

function startWorkers(
  count: number,
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  control: number,
): { workers: Worker[]; ready: Promise<void> } {
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
  const ready = Promise.all(workers.map((worker) => once(worker, "message"))).then(() => {
    // A backend that is never disposed must not keep the process alive.
    for (const worker of workers) worker.unref();
  });
  return { workers, ready };
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
