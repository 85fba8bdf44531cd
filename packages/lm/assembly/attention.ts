// Causal scaled dot-product attention with grouped KV heads, for a batch of new tokens.
// q and out are [tokens, numHeads*headDim]; keys and values are [positions, numKvHeads*headDim],
// position p = start + t for new token t, which attends to positions 0..start+t.
// One pass per (head, token) with an online softmax (running max and sum, rescaling the output
// row when the max grows), so no scores buffer is needed and any thread can take any row.
// Positions go four at a time where headDim allows: four independent dot products, one vector
// exp, and one pass over the output row for their four value rows.
import { expf4, horizontalSum, madd, scalarTail } from "./simd";

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
    let j = 0;
    if (vecBytes === rowBytes) {
      for (; j + 4 <= positions; j += 4) {
        const k0 = keys + ((<usize>j * kvDim) << 2) + kvOffset;
        const k1 = k0 + (kvDim << 2);
        const k2 = k1 + (kvDim << 2);
        const k3 = k2 + (kvDim << 2);
        let a0 = f32x4.splat(0);
        let a1 = f32x4.splat(0);
        let a2 = f32x4.splat(0);
        let a3 = f32x4.splat(0);
        for (let i: usize = 0; i < vecBytes; i += 16) {
          const qv = v128.load(qRow + i);
          a0 = madd(qv, v128.load(k0 + i), a0);
          a1 = madd(qv, v128.load(k1 + i), a1);
          a2 = madd(qv, v128.load(k2 + i), a2);
          a3 = madd(qv, v128.load(k3 + i), a3);
        }
        const scores = f32x4.mul(sum4(a0, a1, a2, a3), f32x4.splat(scale));
        const blockMax = Mathf.max(
          Mathf.max(f32x4.extract_lane(scores, 0), f32x4.extract_lane(scores, 1)),
          Mathf.max(f32x4.extract_lane(scores, 2), f32x4.extract_lane(scores, 3)),
        );
        if (blockMax > max) {
          const shrink = Mathf.exp(max - blockMax);
          scaleRow(outRow, shrink, vecBytes, rowBytes);
          sum *= shrink;
          max = blockMax;
        }
        const p = expf4(f32x4.sub(scores, f32x4.splat(max)));
        sum += horizontalSum(p);
        const v0 = values + ((<usize>j * kvDim) << 2) + kvOffset;
        addScaledRows4(outRow, v0, kvDim << 2, p, vecBytes);
      }
    }
    for (; j < positions; j++) {
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

/** [sum of a's lanes, sum of b's, sum of c's, sum of d's]. */
function sum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/** row += p[0] * source[0] + ... + p[3] * source[3], the four source rows `stride` bytes apart. */
function addScaledRows4(row: usize, source: usize, stride: usize, p: v128, vecBytes: usize): void {
  const p0 = f32x4.splat(f32x4.extract_lane(p, 0));
  const p1 = f32x4.splat(f32x4.extract_lane(p, 1));
  const p2 = f32x4.splat(f32x4.extract_lane(p, 2));
  const p3 = f32x4.splat(f32x4.extract_lane(p, 3));
  const s1 = source + stride;
  const s2 = s1 + stride;
  const s3 = s2 + stride;
  for (let i: usize = 0; i < vecBytes; i += 16) {
    let acc = v128.load(row + i);
    acc = madd(v128.load(source + i), p0, acc);
    acc = madd(v128.load(s1 + i), p1, acc);
    acc = madd(v128.load(s2 + i), p2, acc);
    acc = madd(v128.load(s3 + i), p3, acc);
    v128.store(row + i, acc);
  }
}
