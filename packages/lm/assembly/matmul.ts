// WebAssembly SIMD matmul kernels and the worker loop that shares them across threads.
// Built by assembly/build.mjs twice: with relaxed-simd (fused multiply-add) and without it.
//
// out[r,o] = sum_i x[r,i] * w[o,i] (+ bias[o]); x is [rows,inDim] and w is [outDim,inDim], both
// row-major, so every dot product runs along contiguous memory and needs no packing of weights.
// The hot tile is 4 rows x 2 weight rows: 8 f32x4 accumulators + 4 x loads + 2 w loads fit the
// 16 SIMD registers V8 uses on x64 (measured: larger tiles spill and run at ~60%).

// Layout of the control block that the calling thread and the workers share (byte offsets).
// Counters that different threads write sit on separate 64-byte cache lines.
const GENERATION: usize = 0; // bumped by the caller for each job; workers wait on it
const QUIT: usize = 4;
const OUT: usize = 8;
const X: usize = 12;
const W: usize = 16;
const BIAS: usize = 20;
const ROWS: usize = 24;
const IN_DIM: usize = 28;
const OUT_DIM: usize = 32;
const CHUNK: usize = 36; // output columns claimed per step
const NEXT_COLUMN: usize = 64; // next unclaimed output column
const DONE: usize = 128; // workers finished with the current job

/** Spins before sleeping: the next matmul of a forward pass usually arrives within microseconds. */
const SPIN_ITERATIONS: i32 = 20_000;

/** Rows of x processed against one block of weight rows, so the x block stays in L2 cache. */
const ROW_BLOCK: i32 = 64;

function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

function horizontalSum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/** The part of a dot product past the last whole f32x4 (inDim not a multiple of 4). */
function scalarTail(xp: usize, wp: usize, from: usize, to: usize): f32 {
  let sum: f32 = 0;
  for (let i = from; i < to; i += 4) sum += load<f32>(xp + i) * load<f32>(wp + i);
  return sum;
}

function finish(out: usize, outDim: i32, r: i32, o: i32, bias: usize, value: f32): void {
  const b: f32 = bias ? load<f32>(bias + ((<usize>o) << 2)) : 0;
  store<f32>(out + ((<usize>r * <usize>outDim + <usize>o) << 2), value + b);
}

/** Rows r..r+3 against weight rows o, o+1. */
function tile4x2(out: usize, x: usize, w: usize, bias: usize, r: i32, o: i32, inDim: i32, outDim: i32): void {
  const rowBytes = (<usize>inDim) << 2;
  const vecBytes = (<usize>(inDim & ~3)) << 2;
  const x0 = x + <usize>r * rowBytes;
  const x1 = x0 + rowBytes;
  const x2 = x1 + rowBytes;
  const x3 = x2 + rowBytes;
  const w0 = w + <usize>o * rowBytes;
  const w1 = w0 + rowBytes;
  let a00 = f32x4.splat(0);
  let a01 = f32x4.splat(0);
  let a10 = f32x4.splat(0);
  let a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0);
  let a21 = f32x4.splat(0);
  let a30 = f32x4.splat(0);
  let a31 = f32x4.splat(0);
  for (let i: usize = 0; i < vecBytes; i += 16) {
    const v0 = v128.load(x0 + i);
    const v1 = v128.load(x1 + i);
    const v2 = v128.load(x2 + i);
    const v3 = v128.load(x3 + i);
    const u0 = v128.load(w0 + i);
    const u1 = v128.load(w1 + i);
    a00 = madd(v0, u0, a00);
    a01 = madd(v0, u1, a01);
    a10 = madd(v1, u0, a10);
    a11 = madd(v1, u1, a11);
    a20 = madd(v2, u0, a20);
    a21 = madd(v2, u1, a21);
    a30 = madd(v3, u0, a30);
    a31 = madd(v3, u1, a31);
  }
  finish(out, outDim, r, o, bias, horizontalSum(a00) + scalarTail(x0, w0, vecBytes, rowBytes));
  finish(out, outDim, r, o + 1, bias, horizontalSum(a01) + scalarTail(x0, w1, vecBytes, rowBytes));
  finish(out, outDim, r + 1, o, bias, horizontalSum(a10) + scalarTail(x1, w0, vecBytes, rowBytes));
  finish(out, outDim, r + 1, o + 1, bias, horizontalSum(a11) + scalarTail(x1, w1, vecBytes, rowBytes));
  finish(out, outDim, r + 2, o, bias, horizontalSum(a20) + scalarTail(x2, w0, vecBytes, rowBytes));
  finish(out, outDim, r + 2, o + 1, bias, horizontalSum(a21) + scalarTail(x2, w1, vecBytes, rowBytes));
  finish(out, outDim, r + 3, o, bias, horizontalSum(a30) + scalarTail(x3, w0, vecBytes, rowBytes));
  finish(out, outDim, r + 3, o + 1, bias, horizontalSum(a31) + scalarTail(x3, w1, vecBytes, rowBytes));
}

/** Row r against weight rows o..o+3: the shape of decoding one token, bound by weight bandwidth. */
function tile1x4(out: usize, x: usize, w: usize, bias: usize, r: i32, o: i32, inDim: i32, outDim: i32): void {
  const rowBytes = (<usize>inDim) << 2;
  const vecBytes = (<usize>(inDim & ~3)) << 2;
  const x0 = x + <usize>r * rowBytes;
  const w0 = w + <usize>o * rowBytes;
  const w1 = w0 + rowBytes;
  const w2 = w1 + rowBytes;
  const w3 = w2 + rowBytes;
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  for (let i: usize = 0; i < vecBytes; i += 16) {
    const v = v128.load(x0 + i);
    a0 = madd(v, v128.load(w0 + i), a0);
    a1 = madd(v, v128.load(w1 + i), a1);
    a2 = madd(v, v128.load(w2 + i), a2);
    a3 = madd(v, v128.load(w3 + i), a3);
  }
  finish(out, outDim, r, o, bias, horizontalSum(a0) + scalarTail(x0, w0, vecBytes, rowBytes));
  finish(out, outDim, r, o + 1, bias, horizontalSum(a1) + scalarTail(x0, w1, vecBytes, rowBytes));
  finish(out, outDim, r, o + 2, bias, horizontalSum(a2) + scalarTail(x0, w2, vecBytes, rowBytes));
  finish(out, outDim, r, o + 3, bias, horizontalSum(a3) + scalarTail(x0, w3, vecBytes, rowBytes));
}

/** One output: the tails that the tiles leave over. */
function tile1x1(out: usize, x: usize, w: usize, bias: usize, r: i32, o: i32, inDim: i32, outDim: i32): void {
  const rowBytes = (<usize>inDim) << 2;
  const vecBytes = (<usize>(inDim & ~3)) << 2;
  const x0 = x + <usize>r * rowBytes;
  const w0 = w + <usize>o * rowBytes;
  let a = f32x4.splat(0);
  for (let i: usize = 0; i < vecBytes; i += 16) a = madd(v128.load(x0 + i), v128.load(w0 + i), a);
  finish(out, outDim, r, o, bias, horizontalSum(a) + scalarTail(x0, w0, vecBytes, rowBytes));
}

/** Computes output columns [oStart, oEnd) for all rows. */
export function matmulColumns(
  out: usize,
  x: usize,
  w: usize,
  bias: usize,
  rows: i32,
  inDim: i32,
  outDim: i32,
  oStart: i32,
  oEnd: i32,
): void {
  for (let r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
    const r1 = min(r0 + ROW_BLOCK, rows);
    const r4 = r0 + ((r1 - r0) & ~3);
    let o = oStart;
    if (r4 > r0) {
      for (; o + 2 <= oEnd; o += 2) {
        for (let r = r0; r < r4; r += 4) tile4x2(out, x, w, bias, r, o, inDim, outDim);
      }
      for (; o < oEnd; o++) {
        for (let r = r0; r < r4; r++) tile1x1(out, x, w, bias, r, o, inDim, outDim);
      }
    }
    // Rows past the last group of four (all rows when there are fewer than four).
    for (let r = r4; r < r1; r++) {
      let c = oStart;
      for (; c + 4 <= oEnd; c += 4) tile1x4(out, x, w, bias, r, c, inDim, outDim);
      for (; c < oEnd; c++) tile1x1(out, x, w, bias, r, c, inDim, outDim);
    }
  }
}

/** Publishes a job to the workers; the caller then calls workOnJob and waitForWorkers. */
export function postJob(
  control: usize,
  out: usize,
  x: usize,
  w: usize,
  bias: usize,
  rows: i32,
  inDim: i32,
  outDim: i32,
  chunk: i32,
): void {
  atomic.store<u32>(control + OUT, <u32>out);
  atomic.store<u32>(control + X, <u32>x);
  atomic.store<u32>(control + W, <u32>w);
  atomic.store<u32>(control + BIAS, <u32>bias);
  atomic.store<i32>(control + ROWS, rows);
  atomic.store<i32>(control + IN_DIM, inDim);
  atomic.store<i32>(control + OUT_DIM, outDim);
  atomic.store<i32>(control + CHUNK, chunk);
  atomic.store<i32>(control + NEXT_COLUMN, 0);
  atomic.store<i32>(control + DONE, 0);
  atomic.add<i32>(control + GENERATION, 1);
  atomic.notify(control + GENERATION);
}

/** Tells the workers to leave workerLoop. */
export function postQuit(control: usize): void {
  atomic.store<i32>(control + QUIT, 1);
  atomic.add<i32>(control + GENERATION, 1);
  atomic.notify(control + GENERATION);
}

/** Claims chunks of output columns of the job in the control block until none are left. */
export function workOnJob(control: usize): void {
  const out = <usize>atomic.load<u32>(control + OUT);
  const x = <usize>atomic.load<u32>(control + X);
  const w = <usize>atomic.load<u32>(control + W);
  const bias = <usize>atomic.load<u32>(control + BIAS);
  const rows = atomic.load<i32>(control + ROWS);
  const inDim = atomic.load<i32>(control + IN_DIM);
  const outDim = atomic.load<i32>(control + OUT_DIM);
  const chunk = atomic.load<i32>(control + CHUNK);
  while (true) {
    const start = atomic.add<i32>(control + NEXT_COLUMN, chunk);
    if (start >= outDim) return;
    matmulColumns(out, x, w, bias, rows, inDim, outDim, start, min(start + chunk, outDim));
  }
}

/**
 * Body of each worker thread: wait for a job, share it, report done; until told to quit.
 * `seen` is the generation before the worker was started, so a job posted while the worker was
 * still starting up is not missed.
 */
export function workerLoop(control: usize, seen: i32): void {
  while (true) {
    let spins = 0;
    while (atomic.load<i32>(control + GENERATION) === seen) {
      if (spins < SPIN_ITERATIONS) spins++;
      else memory.atomic.wait32(control + GENERATION, seen, -1);
    }
    seen = atomic.load<i32>(control + GENERATION);
    if (atomic.load<i32>(control + QUIT)) return;
    workOnJob(control);
    atomic.add<i32>(control + DONE, 1);
    atomic.notify(control + DONE, 1);
  }
}

/** Called by the thread that posted a job, after doing its share: waits until every worker is done. */
export function waitForWorkers(control: usize, workers: i32): void {
  let spins = 0;
  while (true) {
    const done = atomic.load<i32>(control + DONE);
    if (done >= workers) return;
    if (spins < SPIN_ITERATIONS) spins++;
    else memory.atomic.wait32(control + DONE, done, -1);
  }
}
