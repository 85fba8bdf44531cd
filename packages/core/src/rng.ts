import { createHash } from "node:crypto";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/** A seeded random stream. Every random choice in a study flows from one of these. */
export interface Rng {
  /** Uniform in [0, 1) with 53 random bits. */
  float(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Standard normal draw (Box-Muller). */
  normal(): number;
  /** A shuffled copy (Fisher-Yates); the input is left alone. */
  shuffle<T>(xs: readonly T[]): T[];
  /**
   * An independent stream derived from this stream's identity and `name` only, never from how far
   * this stream has been consumed: adding a new random step elsewhere does not shift it, and the
   * same name always gives the same stream.
   */
  fork(name: string): Rng;
}

/** 128 bits of generator state from a stream identity; sha256 spreads similar names apart. */
function stateFor(identity: string): number[] {
  const digest = createHash("sha256").update(identity).digest();
  const state: number[] = [0, 4, 8, 12].map((offset) => digest.readInt32LE(offset));
  // xoroshiro's all-zero state is a fixed point; sha256 hitting it is astronomically unlikely, but cheap to rule out.
  if (!state.some((word) => word !== 0)) state[0] = 1;
  return state;
}

class SeededRng implements Rng {
  private readonly generator: RandomGenerator;

  constructor(private readonly identity: string) {
    this.generator = xoroshiro128plusFromState(stateFor(identity));
  }

  float(): number {
    return uniformFloat64(this.generator);
  }

  int(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive < 1)
      throw new RangeError(`int(maxExclusive) needs a positive integer, got ${maxExclusive}`);
    return uniformInt(this.generator, 0, maxExclusive - 1);
  }

  normal(): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  shuffle<T>(xs: readonly T[]): T[] {
    const out = xs.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }

  fork(name: string): Rng {
    return new SeededRng(JSON.stringify([this.identity, name]));
  }
}

export function createRng(seed: number | string): Rng {
  if (typeof seed === "number" && !Number.isFinite(seed))
    throw new RangeError(`seed must be finite, got ${seed}`);
  // Seed 1234 and "1234" (as typed on a command line) are the same study.
  return new SeededRng(String(seed));
}
