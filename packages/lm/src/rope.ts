/** Rotary position embeddings: the base and the frequency scalings the supported checkpoints use. */

/** Llama-3 style frequency-dependent scaling, as config.json states it. */
export interface Llama3RopeScaling {
  type: "llama3";
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

/** Per-pair divisors of the rotary frequencies, as GGUF stores Llama-3 scaling (`rope_freqs.weight`). */
export interface RopeFreqFactors {
  type: "freq-factors";
  factors: number[];
}

/** Positions divided by `factor` (Gemma 3's global layers). */
export interface LinearRopeScaling {
  type: "linear";
  factor: number;
}

/**
 * Phi-3's LongRoPE: per-pair frequency divisors, the short set while a pass's sequence fits in
 * `originalMaxPositions` and the long set beyond (as transformers picks them per call), and an
 * attention factor that multiplies cos and sin.
 */
export interface LongRopeScaling {
  type: "longrope";
  shortFactors: number[];
  longFactors: number[];
  originalMaxPositions: number;
  attentionFactor: number;
}

export type RopeScaling = Llama3RopeScaling | RopeFreqFactors | LinearRopeScaling | LongRopeScaling;

export interface RopeSpec {
  /** The base of the rotary frequencies (`rope_theta`). */
  theta: number;
  scaling: RopeScaling | null;
}

/**
 * Inverse rotary frequencies per pair of a head of `headDim`, scaled as transformers does;
 * `sequenceLength` (the positions a pass reaches) picks LongRoPE's short or long factors.
 */
export function ropeInverseFrequencies(rope: RopeSpec, headDim: number, sequenceLength = 0): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / rope.theta ** ((2 * i) / headDim);
  const s = rope.scaling;
  if (!s) return inv;
  if (s.type === "freq-factors" || s.type === "longrope") {
    const factors =
      s.type === "freq-factors"
        ? s.factors
        : sequenceLength > s.originalMaxPositions
          ? s.longFactors
          : s.shortFactors;
    for (let i = 0; i < half; i++) inv[i] /= factors[i];
    return inv;
  }
  if (s.type === "linear") {
    for (let i = 0; i < half; i++) inv[i] /= s.factor;
    return inv;
  }
  const lowFreqWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxPositions / s.highFreqFactor;
  for (let i = 0; i < half; i++) {
    const wavelen = (2 * Math.PI) / inv[i];
    if (wavelen < highFreqWavelen) continue;
    if (wavelen > lowFreqWavelen) inv[i] /= s.factor;
    else {
      const smooth =
        (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      inv[i] = ((1 - smooth) * inv[i]) / s.factor + smooth * inv[i];
    }
  }
  return inv;
}

/** The divisors that turn plain rotary frequencies into Llama-3 scaled ones (for GGUF's rope_freqs). */
export function llama3FreqFactors(rope: RopeSpec, headDim: number): Float32Array {
  const plain = ropeInverseFrequencies({ ...rope, scaling: null }, headDim);
  const scaled = ropeInverseFrequencies(rope, headDim);
  return Float32Array.from(plain, (f, i) => f / scaled[i]);
}

/**
 * cos/sin tables of one rotary embedding, grown as passes reach further positions, and the
 * rotation itself in HF's layout (element i pairs with i + headDim/2 within each head).
 */
export class RotaryTable {
  private cos = new Float32Array(0);
  private sin = new Float32Array(0);
  private positions = 0;
  private long = false;

  constructor(
    readonly rope: RopeSpec,
    readonly headDim: number,
    private readonly maxPositions: number,
  ) {}

  /** Readies the table for a pass that reaches `sequenceLength` positions. */
  prepare(sequenceLength: number): void {
    const s = this.rope.scaling;
    const long = s?.type === "longrope" && sequenceLength > s.originalMaxPositions;
    if (sequenceLength <= this.positions && long === this.long) return;
    const n = Math.min(Math.max(sequenceLength, 2 * this.positions, 64), this.maxPositions);
    const half = this.headDim / 2;
    const inv = ropeInverseFrequencies(this.rope, this.headDim, sequenceLength);
    const attention = s?.type === "longrope" ? s.attentionFactor : 1;
    this.cos = new Float32Array(n * half);
    this.sin = new Float32Array(n * half);
    for (let p = 0; p < n; p++)
      for (let i = 0; i < half; i++) {
        const angle = p * inv[i];
        this.cos[p * half + i] = Math.cos(angle) * attention;
        this.sin[p * half + i] = Math.sin(angle) * attention;
      }
    this.positions = n;
    this.long = long;
  }

  /** Rotates `T` rows of `heads` heads at absolute positions start, start+1, ... in place. */
  rotate(v: Float32Array, T: number, heads: number, start: number): void {
    const hd = this.headDim;
    const half = hd / 2;
    const { cos: cosTable, sin: sinTable } = this;
    for (let t = 0; t < T; t++) {
      const table = (start + t) * half;
      for (let head = 0; head < heads; head++) {
        const o = (t * heads + head) * hd;
        for (let i = 0; i < half; i++) {
          const cos = cosTable[table + i];
          const sin = sinTable[table + i];
          const a = v[o + i];
          const b = v[o + i + half];
          v[o + i] = a * cos - b * sin;
          v[o + i + half] = b * cos + a * sin;
        }
      }
    }
  }
}
