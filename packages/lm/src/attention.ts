/**
 * Causal softmax attention over a KV cache, with grouped KV heads: query head h reads KV head
 * floor(h / (numHeads / numKvHeads)). O(T * positions * headDim) in plain loops over typed
 * arrays; a synchronous function of locals only, because V8 optimises that shape best.
 */
export interface AttentionShape {
  /** New tokens in this call, at absolute positions start .. start + tokens - 1. */
  tokens: number;
  start: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  /** Multiplies q.k (default 1/sqrt(headDim)). */
  scale?: number;
  /** Scores s become softCap * tanh(s / softCap) (Gemma 2). */
  softCap?: number | null;
  /** Position p attends to positions p - window + 1 .. p only. */
  window?: number | null;
}

/**
 * out[t, h] = sum_j softmax_j(cap(scale * q[t, h] . k[j, g])) v[j, g] for first(t) <= j <= start + t,
 * where scale defaults to 1/sqrt(d), cap to the identity and first(t) to 0 (a window W makes
 * it start + t - W + 1). `scores` needs start + tokens floats, `accumulator` headDim; both are
 * scratch.
 */
export function attendCausal(
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  out: Float32Array,
  scores: Float32Array,
  accumulator: Float64Array,
  shape: AttentionShape,
): void {
  const { tokens, start, numHeads, numKvHeads, headDim: hd } = shape;
  const qDim = numHeads * hd;
  const kvDim = numKvHeads * hd;
  const group = numHeads / numKvHeads;
  const scale = shape.scale ?? 1 / Math.sqrt(hd);
  const cap = shape.softCap ?? 0;
  const window = shape.window ?? 0;
  const unrolled = hd - (hd % 4);
  for (let t = 0; t < tokens; t++) {
    const positions = start + t + 1;
    const first = window > 0 ? Math.max(0, positions - window) : 0;
    for (let head = 0; head < numHeads; head++) {
      const qo = t * qDim + head * hd;
      const kvo = ((head / group) | 0) * hd;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = first; j < positions; j++) {
        const ko = j * kvDim + kvo;
        // Four partial sums break the add dependency chain.
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        let i = 0;
        for (; i < unrolled; i += 4) {
          d0 += q[qo + i] * keys[ko + i];
          d1 += q[qo + i + 1] * keys[ko + i + 1];
          d2 += q[qo + i + 2] * keys[ko + i + 2];
          d3 += q[qo + i + 3] * keys[ko + i + 3];
        }
        for (; i < hd; i++) d0 += q[qo + i] * keys[ko + i];
        const scaled = (d0 + d1 + d2 + d3) * scale;
        const score = cap > 0 ? cap * Math.tanh(scaled / cap) : scaled;
        scores[j] = score;
        if (score > max) max = score;
      }
      let sum = 0;
      for (let j = first; j < positions; j++) {
        const e = Math.exp(scores[j] - max);
        scores[j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      accumulator.fill(0);
      for (let j = first; j < positions; j++) {
        const p = scores[j] * inv;
        const vo = j * kvDim + kvo;
        for (let i = 0; i < hd; i++) accumulator[i] += p * values[vo + i];
      }
      for (let i = 0; i < hd; i++) out[qo + i] = accumulator[i];
    }
  }
}
