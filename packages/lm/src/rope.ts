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

export type RopeScaling = Llama3RopeScaling | RopeFreqFactors;

export interface RopeSpec {
  /** The base of the rotary frequencies (`rope_theta`). */
  theta: number;
  scaling: RopeScaling | null;
}

/** Inverse rotary frequencies per pair of a head of `headDim`, scaled as transformers does. */
export function ropeInverseFrequencies(rope: RopeSpec, headDim: number): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / rope.theta ** ((2 * i) / headDim);
  const s = rope.scaling;
  if (!s) return inv;
  if (s.type === "freq-factors") {
    for (let i = 0; i < half; i++) inv[i] /= s.factors[i];
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
