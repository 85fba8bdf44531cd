// Causal scaled dot-product attention with grouped KV heads, for a batch of new tokens.
// q and out are [tokens, numHeads*headDim]; keys and values are [positions, numKvHeads*headDim],
// position p = start + t for new token t, which attends to positions 0..start+t.
// One pass per (head, token) with an online softmax (running max and sum, rescaling the output
// row when the max grows), so no scores buffer is needed and any thread can take any row.
import { horizontalSum, madd, scalarTail } from "./simd";

/** Computes work items [first, end): item = head * tokens + t. */
export function attentionRows(
  out: usize,
  q: usize,
  keys: usize,
  values: usize,
  tokens: i32,
  start: i32,
  numHeads: i32,
  numKvHeads: i32,
  headDim: i32,
  first: i32,
  end: i32,
): void {
  const group = numHeads / numKvHeads;
  const qDim = <usize>(numHeads * headDim);
  const kvDim = <usize>(numKvHeads * headDim);
  const rowBytes = (<usize>headDim) << 2;
  const vecBytes = (<usize>(headDim & ~3)) << 2;
  const scale: f32 = 1 / Mathf.sqrt(<f32>headDim);
  for (let item = first; item < end; item++) {
    const head = item / tokens;
    const t = item % tokens;
    const offset = (<usize>t * qDim + <usize>(head * headDim)) << 2;
    const qRow = q + offset;
    const outRow = out + offset;
    const kvOffset = (<usize>((head / group) * headDim)) << 2;
    memory.fill(outRow, 0, rowBytes);
    let max: f32 = -Infinity;
    let sum: f32 = 0;
    const positions = start + t + 1;
    for (let j = 0; j < positions; j++) {
      const kRow = keys + ((<usize>j * kvDim) << 2) + kvOffset;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let i: usize = 0;
      for (; i + 32 <= vecBytes; i += 32) {
        a0 = madd(v128.load(qRow + i), v128.load(kRow + i), a0);
        a1 = madd(v128.load(qRow + i, 16), v128.load(kRow + i, 16), a1);
      }
      if (i < vecBytes) a0 = madd(v128.load(qRow + i), v128.load(kRow + i), a0);
      const score = (horizontalSum(f32x4.add(a0, a1)) + scalarTail(qRow, kRow, vecBytes, rowBytes)) * scale;
      if (score > max) {
        // exp(-inf) = 0 on the first position: the zeroed row and sum stay zero.
        const shrink = Mathf.exp(max - score);
        scaleRow(outRow, shrink, vecBytes, rowBytes);
        sum *= shrink;
        max = score;
      }
      const p = Mathf.exp(score - max);
      sum += p;
      addScaledRow(outRow, values + ((<usize>j * kvDim) << 2) + kvOffset, p, vecBytes, rowBytes);
    }
    scaleRow(outRow, 1 / sum, vecBytes, rowBytes);
  }
}

function scaleRow(row: usize, factor: f32, vecBytes: usize, rowBytes: usize): void {
  const f = f32x4.splat(factor);
  for (let i: usize = 0; i < vecBytes; i += 16) v128.store(row + i, f32x4.mul(v128.load(row + i), f));
  for (let i = vecBytes; i < rowBytes; i += 4) store<f32>(row + i, load<f32>(row + i) * factor);
}

function addScaledRow(row: usize, source: usize, factor: f32, vecBytes: usize, rowBytes: usize): void {
  const f = f32x4.splat(factor);
  for (let i: usize = 0; i < vecBytes; i += 16)
    v128.store(row + i, madd(v128.load(source + i), f, v128.load(row + i)));
  for (let i = vecBytes; i < rowBytes; i += 4)
    store<f32>(row + i, load<f32>(row + i) + load<f32>(source + i) * factor);
}
