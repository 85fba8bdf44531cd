import { createHash } from "node:crypto";
import { type WeightType, weightRowBytes } from "./kernels/weight-matrix.js";
import { encodeRows } from "./weight-codecs/weight-codec.js";

/** One chunk of a random matrix's rows, drawn and stored (see randomStoredRows). */
export interface RandomRowsJob {
  /** The model's seed and the tensor's name: with `first`, all the chunk's values depend on. */
  seed: string;
  tensor: string;
  first: number;
  count: number;
  cols: number;
  std: number;
  type: WeightType;
}

/**
 * Rows [first, first + count) of a random matrix, N(0, std^2), in `type`'s stored bytes. Each
 * chunk draws from its own stream (seeded by sha256 of the seed, tensor and first row), so chunks
 * can be drawn on any thread in any order and the file is the same whatever the thread count.
 * The generator is xoshiro128** with Box-Muller pairs: 32-bit uniforms are plenty for random
 * weights and several times faster than @pva/core's Rng, which matters at 8e9 values.
 */
export function randomStoredRows(job: RandomRowsJob): Uint8Array {
  const n = job.count * job.cols;
  const values = new Float32Array(n);
  const digest = createHash("sha256")
    .update(JSON.stringify([job.seed, job.tensor, job.first]))
    .digest();
  let s0 = digest.readUInt32LE(0) | 1;
  let s1 = digest.readUInt32LE(4);
  let s2 = digest.readUInt32LE(8);
  let s3 = digest.readUInt32LE(12);
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result >>> 0;
  };
  for (let i = 0; i < n; i += 2) {
    // u in (0, 1], so the logarithm is finite.
    const u = (next() + 1) / 4294967296;
    const angle = (2 * Math.PI * next()) / 4294967296;
    const r = job.std * Math.sqrt(-2 * Math.log(u));
    values[i] = r * Math.cos(angle);
    if (i + 1 < n) values[i + 1] = r * Math.sin(angle);
  }
  const out = new Uint8Array(job.count * weightRowBytes(job.type, job.cols));
  encodeRows(job.type, values, 0, job.count, job.cols, out);
  return out;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
