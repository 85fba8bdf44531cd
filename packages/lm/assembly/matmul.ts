// out[r,o] = sum_i x[r,i] * w[o,i] (+ bias[o]); x is [rows,inDim] and w is [outDim,inDim], both
// row-major, so every dot product runs along contiguous memory and needs no packing of weights.
// The hot tile is 4 rows x 2 weight rows: 8 f32x4 accumulators + 4 x loads + 2 w loads fit the
// 16 SIMD registers V8 uses on x64 (measured: larger tiles spill and run at ~60%).
// Weights of other types are decoded a panel of PANEL rows at a time into per-thread scratch
// (assembly/decode.ts) and the same F32 tiles run on the panel; see matmulColumns.
import { decodeRows, rowBytesOf, W_F32 } from "./decode";
import { horizontalSum, madd, scalarTail } from "./simd";

/** Rows of x processed against one block of weight rows, so the x block stays in L2 cache. */
const ROW_BLOCK: i32 = 64;

/** Weight rows decoded to F32 at a time: the panel takes PANEL * inDim * 4 bytes of scratch per thread. */
export const PANEL: i32 = 4;

function finish(out: usize, outDim: i32, r: i32, o: i32, bias: usize, value: f32): void {
  const b: f32 = bias ? load<f32>(bias + ((<usize>o) << 2)) : 0;
  store<f32>(out + ((<usize>r * <usize>outDim + <usize>o) << 2), value + b);
}

/** Rows r..r+3 against the F32 weight rows at w0 and w1 (output columns o, o + 1). */
function tile4x2(
  out: usize,
  x: usize,
  w0: usize,
  w1: usize,
  bias: usize,
  r: i32,
  o: i32,
  inDim: i32,
  outDim: i32,
): void {
  const rowBytes = (<usize>inDim) << 2;
  const vecBytes = (<usize>(inDim & ~3)) << 2;
  const x0 = x + <usize>r * rowBytes;
  const x1 = x0 + rowBytes;
  const x2 = x1 + rowBytes;
  const x3 = x2 + rowBytes;
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

/** Row r against the four F32 weight rows from w0 (output columns o..o+3): the shape of decoding one token. */
function tile1x4(
  out: usize,
  x: usize,
  w0: usize,
  bias: usize,
  r: i32,
  o: i32,
  inDim: i32,
  outDim: i32,
): void {
  const rowBytes = (<usize>inDim) << 2;
  const vecBytes = (<usize>(inDim & ~3)) << 2;
  const x0 = x + <usize>r * rowBytes;
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

/** One output against the F32 weight row at w0: the tails that the tiles leave over. */
function tile1x1(
  out: usize,
  x: usize,
  w0: usize,
  bias: usize,
  r: i32,
  o: i32,
  inDim: i32,
  outDim: i32,
): void {
  const rowBytes = (<usize>inDim) << 2;
  const vecBytes = (<usize>(inDim & ~3)) << 2;
  const x0 = x + <usize>r * rowBytes;
  let a = f32x4.splat(0);
  for (let i: usize = 0; i < vecBytes; i += 16) a = madd(v128.load(x0 + i), v128.load(w0 + i), a);
  finish(out, outDim, r, o, bias, horizontalSum(a) + scalarTail(x0, w0, vecBytes, rowBytes));
}

/**
 * Output columns [oStart, oEnd) for all rows, against F32 weight rows laid out from `wFirst`
 * (the row of column oStart).
 */
function f32Columns(
  out: usize,
  x: usize,
  wFirst: usize,
  bias: usize,
  rows: i32,
  inDim: i32,
  outDim: i32,
  oStart: i32,
  oEnd: i32,
): void {
  const rowBytes = (<usize>inDim) << 2;
  for (let r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
    const r1 = min(r0 + ROW_BLOCK, rows);
    const r4 = r0 + ((r1 - r0) & ~3);
    let o = oStart;
    if (r4 > r0) {
      for (; o + 2 <= oEnd; o += 2) {
        const w0 = wFirst + <usize>(o - oStart) * rowBytes;
        for (let r = r0; r < r4; r += 4) tile4x2(out, x, w0, w0 + rowBytes, bias, r, o, inDim, outDim);
      }
      for (; o < oEnd; o++) {
        const w0 = wFirst + <usize>(o - oStart) * rowBytes;
        for (let r = r0; r < r4; r++) tile1x1(out, x, w0, bias, r, o, inDim, outDim);
      }
    }
    // Rows past the last group of four (all rows when there are fewer than four).
    for (let r = r4; r < r1; r++) {
      let c = oStart;
      for (; c + 4 <= oEnd; c += 4)
        tile1x4(out, x, wFirst + <usize>(c - oStart) * rowBytes, bias, r, c, inDim, outDim);
      for (; c < oEnd; c++)
        tile1x1(out, x, wFirst + <usize>(c - oStart) * rowBytes, bias, r, c, inDim, outDim);
    }
  }
}

/**
 * Computes output columns [oStart, oEnd) for all rows. `w` points at weight row 0 stored as
 * `wType` (decode.ts's ids). F32 weights are read in place; any other type is decoded PANEL rows
 * at a time into `panel` (PANEL * inDim floats of this thread's own scratch), and the F32 tiles
 * run on that, so every row of x reuses each decoded weight.
 */
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
  wType: i32,
  panel: usize,
): void {
  const rowBytes = rowBytesOf(wType, inDim);
  if (wType === W_F32) {
    f32Columns(out, x, w + <usize>oStart * rowBytes, bias, rows, inDim, outDim, oStart, oEnd);
    return;
  }
  for (let o = oStart; o < oEnd; o += PANEL) {
    const n = min(PANEL, oEnd - o);
    decodeRows(wType, w + <usize>o * rowBytes, rowBytes, n, inDim, panel);
    f32Columns(out, x, panel, bias, rows, inDim, outDim, o, o + n);
  }
}
