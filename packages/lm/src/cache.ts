/**
 * Keys and values of the positions computed so far, per layer, so a shared prompt prefix is
 * computed once: run the prefix into a cache, then `clone()` it (or `truncate()` back) per prompt.
 */
export interface KvCache {
  /** Number of positions held. */
  readonly length: number;
  /** Forgets every position from `n` on. */
  truncate(n: number): void;
  /** An independent copy (appending to one leaves the other unchanged). */
  clone(): KvCache;
}

/** The runtime's cache: one [capacity, kvDim] key and value buffer per layer, grown by doubling. */
export class LayerKvCache implements KvCache {
  length = 0;
  private capacity: number;
  keys: Float32Array[];
  values: Float32Array[];

  constructor(
    readonly numLayers: number,
    readonly kvDim: number,
    readonly maxPositions: number,
    initialCapacity = 64,
  ) {
    this.capacity = Math.min(initialCapacity, maxPositions);
    this.keys = Array.from({ length: numLayers }, () => new Float32Array(this.capacity * kvDim));
    this.values = Array.from({ length: numLayers }, () => new Float32Array(this.capacity * kvDim));
  }

  /** Makes room for `total` positions, keeping what is held. */
  reserve(total: number): void {
    if (total <= this.capacity) return;
    let capacity = this.capacity;
    while (capacity < total) capacity *= 2;
    capacity = Math.min(Math.max(capacity, total), this.maxPositions);
    const grow = (old: Float32Array) => {
      const next = new Float32Array(capacity * this.kvDim);
      next.set(old.subarray(0, this.length * this.kvDim));
      return next;
    };
    this.keys = this.keys.map(grow);
    this.values = this.values.map(grow);
    this.capacity = capacity;
  }

  truncate(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.length)
      throw new RangeError(`KvCache.truncate(${n}): must be an integer in [0, ${this.length}]`);
    this.length = n;
  }

  clone(): LayerKvCache {
    const copy = new LayerKvCache(this.numLayers, this.kvDim, this.maxPositions, Math.max(1, this.length));
    copy.length = this.length;
    const used = this.length * this.kvDim;
    for (let l = 0; l < this.numLayers; l++) {
      copy.keys[l].set(this.keys[l].subarray(0, used));
      copy.values[l].set(this.values[l].subarray(0, used));
    }
    return copy;
  }
}
