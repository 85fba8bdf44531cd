import { PvaError } from "@pva/core";
import { type KvCache, LayerKvCache } from "./cache.js";
import { type ModelConfig, ropeInverseFrequencies } from "./config.js";
import { HookPlan, type SteerSpec } from "./hooks.js";
import type { ComputeBackend } from "./kernels/index.js";
import type { ModelWeights } from "./weights.js";

/**
 * The forward pass, top to bottom: embed, then per block
 *   resid_pre -> norm -> attention -> + -> resid_mid -> norm -> MLP -> + -> resid_post,
 * then the final norm and the LM head. Every linear layer goes through `backend.matmul` and
 * attention through `backend.attention`; the rest is plain loops over typed arrays in buffers
 * reused across calls.
 */

export interface ForwardOptions {
  /** Hook sites whose residual (this call's tokens, T x hidden) to return. */
  capture?: string[];
  steer?: SteerSpec[];
  /** Continue from (and append to) this cache; without one the call starts at position 0. */
  cache?: KvCache;
  /** Which positions' logits to compute; default "last". */
  logits?: "last" | "all" | "none";
}

export interface ForwardResult {
  /** Raw logits: vocab values ("last"), T x vocab ("all"), or empty ("none"). */
  logits: Float32Array;
  captures: Map<string, Float32Array>;
}

/** Activation buffers sized for `rows` tokens, reused across calls and grown by doubling. */
class Scratch {
  rows = 0;
  x!: Float32Array;
  normed!: Float32Array;
  q!: Float32Array;
  k!: Float32Array;
  v!: Float32Array;
  attended!: Float32Array;
  projected!: Float32Array;
  gate!: Float32Array;
  up!: Float32Array;
  logits!: Float32Array;
  logitRows = 0;

  constructor(
    private readonly backend: ComputeBackend,
    private readonly c: ModelConfig,
  ) {}

  ensure(rows: number): void {
    if (rows > this.rows) {
      let n = Math.max(1, this.rows);
      while (n < rows) n *= 2;
      const { hiddenSize: h, intermediateSize: ff } = this.c;
      const qDim = this.c.numHeads * this.c.headDim;
      const kvDim = this.c.numKvHeads * this.c.headDim;
      const a = (size: number) => this.backend.allocF32(n * size);
      this.x = a(h);
      this.normed = a(h);
      this.q = a(qDim);
      this.k = a(kvDim);
      this.v = a(kvDim);
      this.attended = a(qDim);
      this.projected = a(h);
      this.gate = a(ff);
      this.up = a(ff);
      this.rows = n;
    }
  }

  ensureLogits(rows: number): Float32Array {
    if (rows > this.logitRows) {
      this.logits = this.backend.allocF32(rows * this.c.vocabSize);
      this.logitRows = rows;
    }
    return this.logits;
  }
}

export class Transformer {
  private readonly scratch: Scratch;
  private readonly ownCache: LayerKvCache;
  private readonly invFreq: Float64Array;
  private cos = new Float32Array(0);
  private sin = new Float32Array(0);
  private ropePositions = 0;
  /** Calls share scratch buffers, so they run one at a time in arrival order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly config: ModelConfig,
    readonly weights: ModelWeights,
    readonly backend: ComputeBackend,
  ) {
    this.scratch = new Scratch(backend, config);
    this.ownCache = this.createCache();
    this.invFreq = config.positions === "rope" ? ropeInverseFrequencies(config) : new Float64Array(0);
  }

  createCache(): LayerKvCache {
    return new LayerKvCache(
      this.config.numLayers,
      this.config.numKvHeads * this.config.headDim,
      this.config.maxPositions,
    );
  }

  forward(tokens: readonly number[], opts: ForwardOptions = {}): Promise<ForwardResult> {
    const run = this.queue.then(() => this.forwardNow(tokens, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async forwardNow(tokens: readonly number[], opts: ForwardOptions): Promise<ForwardResult> {
    const c = this.config;
    const { hiddenSize: h, vocabSize: vocab } = c;
    const cache = this.cacheFor(opts.cache);
    const start = cache.length;
    const T = tokens.length;
    if (T === 0) throw new PvaError("forward: no tokens given", "E_FORWARD");
    if (start + T > c.maxPositions)
      throw new PvaError(
        `forward: ${start + T} positions exceed the model's context of ${c.maxPositions}`,
        "E_CONTEXT",
      );
    const hooks = new HookPlan(opts.capture ?? [], opts.steer ?? [], c.numLayers, h);
    const captures = new Map<string, Float32Array>();
    const s = this.scratch;
    s.ensure(T);
    cache.reserve(start + T);
    if (c.positions === "rope") this.ensureRope(start + T);
    const w = this.weights;
    const x = s.x;
    const projected = s.projected;

    // Embeddings (plus learned positions for GPT-2).
    for (let t = 0; t < T; t++) {
      const id = tokens[t];
      if (!Number.isInteger(id) || id < 0 || id >= vocab)
        throw new PvaError(
          `forward: token id ${id} at index ${t} is outside the vocabulary [0, ${vocab})`,
          "E_FORWARD",
        );
      x.set(w.tokenEmbedding.subarray(id * h, (id + 1) * h), t * h);
      if (w.positionEmbedding) {
        const pe = (start + t) * h;
        for (let i = 0; i < h; i++) x[t * h + i] += w.positionEmbedding[pe + i];
      }
    }

    for (let l = 0; l < c.numLayers; l++) {
      const L = w.layers[l];
      hooks.apply(3 * l, x, T, h, start, captures);

      this.norm(x, s.normed, T, L.attnNorm, L.attnNormBias);
      await this.attention(l, T, start, cache);
      for (let i = 0; i < T * h; i++) x[i] += projected[i];
      hooks.apply(3 * l + 1, x, T, h, start, captures);

      this.norm(x, s.normed, T, L.mlpNorm, L.mlpNormBias);
      await this.mlp(l, T);
      for (let i = 0; i < T * h; i++) x[i] += projected[i];
      hooks.apply(3 * l + 2, x, T, h, start, captures);
    }
    cache.length = start + T;

    this.norm(x, s.normed, T, w.finalNorm, w.finalNormBias);
    hooks.apply(3 * c.numLayers, s.normed, T, h, start, captures);

    const mode = opts.logits ?? "last";
    if (mode === "none") return { logits: new Float32Array(0), captures };
    const rows = mode === "all" ? T : 1;
    const input = mode === "all" ? s.normed : s.normed.subarray((T - 1) * h, T * h);
    const logits = s.ensureLogits(rows);
    await this.backend.matmul(logits, input, w.lmHead, rows, h, vocab);
    return { logits: logits.slice(0, rows * vocab), captures };
  }

  private cacheFor(cache: KvCache | undefined): LayerKvCache {
    if (cache === undefined) {
      this.ownCache.truncate(0);
      return this.ownCache;
    }
    if (
      !(cache instanceof LayerKvCache) ||
      cache.numLayers !== this.config.numLayers ||
      cache.kvDim !== this.config.numKvHeads * this.config.headDim
    )
      throw new PvaError("forward: the cache was not created by this model's createCache()", "E_FORWARD");
    return cache;
  }

  /** RMSNorm (x / rms(x) * w) or LayerNorm ((x - mean) / std * w + b), row by row. */
  private norm(
    x: Float32Array,
    out: Float32Array,
    rows: number,
    weight: Float32Array,
    bias: Float32Array | null,
  ): void {
    const h = this.config.hiddenSize;
    const eps = this.config.normEps;
    for (let r = 0; r < rows; r++) {
      const o = r * h;
      if (this.config.norm === "rms") {
        let ss = 0;
        for (let i = 0; i < h; i++) ss += x[o + i] * x[o + i];
        const inv = 1 / Math.sqrt(ss / h + eps);
        for (let i = 0; i < h; i++) out[o + i] = x[o + i] * inv * weight[i];
      } else {
        let mean = 0;
        for (let i = 0; i < h; i++) mean += x[o + i];
        mean /= h;
        let variance = 0;
        for (let i = 0; i < h; i++) variance += (x[o + i] - mean) ** 2;
        const inv = 1 / Math.sqrt(variance / h + eps);
        for (let i = 0; i < h; i++) out[o + i] = (x[o + i] - mean) * inv * weight[i] + (bias ? bias[i] : 0);
      }
    }
  }

  /** Causal multi-head attention with grouped KV heads; reads `normed`, writes `projected`. */
  private async attention(l: number, T: number, start: number, cache: LayerKvCache): Promise<void> {
    const c = this.config;
    const s = this.scratch;
    const L = this.weights.layers[l];
    const { hiddenSize: h, headDim: hd, numHeads, numKvHeads } = c;
    const qDim = numHeads * hd;
    const kvDim = numKvHeads * hd;
    await this.backend.matmul(s.q, s.normed, L.wq, T, h, qDim, L.bq ?? undefined);
    await this.backend.matmul(s.k, s.normed, L.wk, T, h, kvDim, L.bk ?? undefined);
    await this.backend.matmul(s.v, s.normed, L.wv, T, h, kvDim, L.bv ?? undefined);
    if (c.positions === "rope") {
      this.rotate(s.q, T, numHeads, start);
      this.rotate(s.k, T, numKvHeads, start);
    }
    const keys = cache.keys[l];
    const values = cache.values[l];
    keys.set(s.k.subarray(0, T * kvDim), start * kvDim);
    values.set(s.v.subarray(0, T * kvDim), start * kvDim);

    await this.backend.attention(s.attended, s.q, keys, values, T, start, numHeads, numKvHeads, hd);
    await this.backend.matmul(s.projected, s.attended, L.wo, T, qDim, h, L.bo ?? undefined);
  }

  /** Rotary embedding in HF's layout: element i pairs with i + headDim/2 within each head. */
  private rotate(v: Float32Array, T: number, heads: number, start: number): void {
    const hd = this.config.headDim;
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

  private ensureRope(positions: number): void {
    if (positions <= this.ropePositions) return;
    const n = Math.min(Math.max(positions, 2 * this.ropePositions, 64), this.config.maxPositions);
    const half = this.config.headDim / 2;
    this.cos = new Float32Array(n * half);
    this.sin = new Float32Array(n * half);
    for (let p = 0; p < n; p++)
      for (let i = 0; i < half; i++) {
        const angle = p * this.invFreq[i];
        this.cos[p * half + i] = Math.cos(angle);
        this.sin[p * half + i] = Math.sin(angle);
      }
    this.ropePositions = n;
  }

  /** SwiGLU (down(silu(gate(x)) * up(x))) or GELU (down(gelu(up(x)))); reads `normed`, writes `projected`. */
  private async mlp(l: number, T: number): Promise<void> {
    const c = this.config;
    const s = this.scratch;
    const L = this.weights.layers[l];
    const { hiddenSize: h, intermediateSize: ff } = c;
    const n = T * ff;
    const { up, gate } = s;
    await this.backend.matmul(up, s.normed, L.wUp, T, h, ff, L.bUp ?? undefined);
    if (L.wGate) {
      await this.backend.matmul(gate, s.normed, L.wGate, T, h, ff);
      await this.backend.siluMul(gate, up, n);
    } else {
      const k = Math.sqrt(2 / Math.PI);
      for (let i = 0; i < n; i++) {
        const u = up[i];
        gate[i] = 0.5 * u * (1 + Math.tanh(k * (u + 0.044715 * u * u * u)));
      }
    }
    await this.backend.matmul(s.projected, gate, L.wDown, T, ff, h, L.bDown ?? undefined);
  }
}
