// The protocol by which the calling thread shares a kernel call with worker threads: it writes
// the job into a control block in shared memory and bumps a generation counter; every thread
// (the caller too) claims chunks of work items from an atomic counter, so a thread slowed by
// other load simply claims fewer, and the caller returns once all items are completed. A worker
// that the OS has not scheduled in time misses the job instead of holding it up: claims carry
// the job's generation, so a late claim on a finished job is refused.
import { siluMul } from "./activations";
import { attentionRows } from "./attention";
import { matmulColumns } from "./matmul";

// Layout of the control block that the calling thread and the workers share (byte offsets).
// Counters that different threads write sit on separate 64-byte cache lines.
const GENERATION: usize = 0; // bumped by the caller for each job; workers wait on it
const QUIT: usize = 4;
const KIND: usize = 8; // which kernel the job runs
const CHUNK: usize = 12; // work items claimed per step
const ITEMS: usize = 16; // work items in the job
const PARAMS: usize = 20; // the kernel's arguments, 4 bytes each, up to 11
const NEXT_ITEM: usize = 64; // i64: generation << 32 | next unclaimed work item
const COMPLETED: usize = 128; // work items of the current job finished

const KIND_MATMUL = 1;
const KIND_ATTENTION = 2;
const KIND_SILU_MUL = 3;

/** Elements per work item of an elementwise job. */
const ELEMENT_BLOCK: i32 = 256;

/** Spins before sleeping: the next matmul of a forward pass usually arrives within microseconds. */
const SPIN_ITERATIONS: i32 = 20_000;

function param(control: usize, index: i32): u32 {
  return atomic.load<u32>(control + PARAMS + ((<usize>index) << 2));
}

function setParam(control: usize, index: i32, value: u32): void {
  atomic.store<u32>(control + PARAMS + ((<usize>index) << 2), value);
}

/** Makes the job whose kind and arguments are in the control block visible to the workers. */
function post(control: usize, kind: i32, items: i32, chunk: i32): void {
  atomic.store<i32>(control + KIND, kind);
  atomic.store<i32>(control + ITEMS, items);
  atomic.store<i32>(control + CHUNK, chunk);
  atomic.store<i32>(control + COMPLETED, 0);
  const generation = atomic.load<i32>(control + GENERATION) + 1;
  atomic.store<i64>(control + NEXT_ITEM, (<i64>generation) << 32);
  atomic.store<i32>(control + GENERATION, generation);
  atomic.notify(control + GENERATION);
}

/**
 * Publishes a matmul whose work items are output columns; then call workOnJob and waitForJob.
 * Weights are `wType` (assembly/decode.ts); thread t decodes them into the panel at
 * scratch + t * scratchStride (see matmulColumns).
 */
export function postMatmul(
  control: usize,
  out: usize,
  x: usize,
  w: usize,
  bias: usize,
  rows: i32,
  inDim: i32,
  outDim: i32,
  chunk: i32,
  wType: i32,
  scratch: usize,
  scratchStride: usize,
): void {
  setParam(control, 0, <u32>out);
  setParam(control, 1, <u32>x);
  setParam(control, 2, <u32>w);
  setParam(control, 3, <u32>bias);
  setParam(control, 4, rows);
  setParam(control, 5, inDim);
  setParam(control, 6, outDim);
  setParam(control, 7, wType);
  setParam(control, 8, <u32>scratch);
  setParam(control, 9, <u32>scratchStride);
  post(control, KIND_MATMUL, outDim, chunk);
}

/** Publishes causal attention whose work items are (head, token) rows; then workOnJob and waitForJob. */
export function postAttention(
  control: usize,
  out: usize,
  q: usize,
  keys: usize,
  values: usize,
  tokens: i32,
  start: i32,
  numHeads: i32,
  numKvHeads: i32,
  headDim: i32,
  chunk: i32,
): void {
  setParam(control, 0, <u32>out);
  setParam(control, 1, <u32>q);
  setParam(control, 2, <u32>keys);
  setParam(control, 3, <u32>values);
  setParam(control, 4, tokens);
  setParam(control, 5, start);
  setParam(control, 6, numHeads);
  setParam(control, 7, numKvHeads);
  setParam(control, 8, headDim);
  post(control, KIND_ATTENTION, numHeads * tokens, chunk);
}

/** Publishes gate = silu(gate) * up over `length` elements, in blocks; then workOnJob and waitForJob. */
export function postSiluMul(control: usize, gate: usize, up: usize, length: i32, chunk: i32): void {
  setParam(control, 0, <u32>gate);
  setParam(control, 1, <u32>up);
  setParam(control, 2, length);
  post(control, KIND_SILU_MUL, (length + ELEMENT_BLOCK - 1) / ELEMENT_BLOCK, chunk);
}

/** Tells the workers to stop (workerStep returns -1). */
export function postQuit(control: usize): void {
  atomic.store<i32>(control + QUIT, 1);
  atomic.add<i32>(control + GENERATION, 1);
  atomic.notify(control + GENERATION);
}

/**
 * Claims chunks of job `generation`'s work items until none are left (or the job is over).
 * `thread` (0 for the caller, 1.. for the workers) picks the thread's own scratch.
 */
export function workOnJob(control: usize, generation: i32, thread: i32): void {
  const kind = atomic.load<i32>(control + KIND);
  const items = atomic.load<i32>(control + ITEMS);
  const chunk = atomic.load<i32>(control + CHUNK);
  while (true) {
    const claim = atomic.load<i64>(control + NEXT_ITEM);
    if (<i32>(claim >> 32) !== generation) return;
    const first = <i32>claim;
    if (first >= items) return;
    const end = min(first + chunk, items);
    if (atomic.cmpxchg<i64>(control + NEXT_ITEM, claim, claim + (end - first)) !== claim) continue;
    if (kind === KIND_MATMUL) {
      matmulColumns(
        param(control, 0),
        param(control, 1),
        param(control, 2),
        param(control, 3),
        param(control, 4),
        param(control, 5),
        param(control, 6),
        first,
        end,
        param(control, 7),
        <usize>param(control, 8) + <usize>thread * <usize>param(control, 9),
      );
    } else if (kind === KIND_ATTENTION) {
      attentionRows(
        param(control, 0),
        param(control, 1),
        param(control, 2),
        param(control, 3),
        param(control, 4),
        param(control, 5),
        param(control, 6),
        param(control, 7),
        param(control, 8),
        first,
        end,
      );
    } else {
      const offset = (<usize>(first * ELEMENT_BLOCK)) << 2;
      const length = min(end * ELEMENT_BLOCK, <i32>param(control, 2)) - first * ELEMENT_BLOCK;
      siluMul(<usize>param(control, 0) + offset, <usize>param(control, 1) + offset, length);
    }
    if (atomic.add<i32>(control + COMPLETED, end - first) + (end - first) === items)
      atomic.notify(control + COMPLETED);
  }
}

/**
 * One turn of a worker thread: waits for a job newer than generation `seen`, shares it, and
 * returns its generation, or -1 when told to quit. The worker calls this in a loop from
 * JavaScript rather than looping here, because V8 swaps in optimised code for a wasm function
 * only on its next call: a loop that never returned would run its first, baseline-compiled code
 * forever (measured: that worker added nothing to the caller's speed).
 */
export function workerStep(control: usize, seen: i32, thread: i32): i32 {
  let spins = 0;
  while (atomic.load<i32>(control + GENERATION) === seen) {
    if (spins < SPIN_ITERATIONS) spins++;
    else memory.atomic.wait32(control + GENERATION, seen, -1);
  }
  if (atomic.load<i32>(control + QUIT)) return -1;
  const generation = atomic.load<i32>(control + GENERATION);
  workOnJob(control, generation, thread);
  return generation;
}

/** Called by the thread that posted a job, after doing its share: waits until every item is done. */
export function waitForJob(control: usize): void {
  const items = atomic.load<i32>(control + ITEMS);
  let spins = 0;
  while (true) {
    const completed = atomic.load<i32>(control + COMPLETED);
    if (completed >= items) return;
    if (spins < SPIN_ITERATIONS) spins++;
    else memory.atomic.wait32(control + COMPLETED, completed, -1);
  }
}

/** The generation of the job posted last (the caller passes it to workOnJob). */
export function currentGeneration(control: usize): i32 {
  return atomic.load<i32>(control + GENERATION);
}
