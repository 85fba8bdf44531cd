import { PvaError } from "@pva/core";
import { type KvCache, LayerKvCache } from "./cache.js";
import type { ModelConfig } from "./config.js";
import { blockSlot, finalSlot, type HookSite } from "./hook-site.js";
import { HookPlan } from "./hooks.js";
import type { ComputeBackend } from "./kernels/index.js";
import { RotaryTable } from "./rope.js";
import type { SteerSpec } from "./steering-vector.js";
import { decodeMatrixRows } from "./weight-codecs/weight-codec.js";
import type { ModelWeights } from "./weights.js";

/**
 * The forward pass, top to bottom: embed (times the embedding scale), then per block
 *   resid_pre -> norm -> attention [-> post-norm] -> + -> resid_mid
 *             -> norm -> MLP [-> post-norm] -> + -> resid_post,
 * then the final norm, the LM head and any logit soft-cap. The bracketed post-norms are Gemma's;
 * they sit inside the residual branch, so every hook site sees the residual stream itself. Every
 * linear layer goes through `backend.matmul` and attention through `backend.attention`; the rest
 * is plain loops over typed arrays in buffers reused across calls. What varies between
 * architectures is read from the config's traits, never from the architecture's name.
 */

export interface ForwardOptions {
  /** Hook sites whose residual (this call's tokens, T x hidden) to return. */
  capture?: HookSite[];
  steer?: SteerSpec[];
  /** Continue from (and append to) this cache; without one the call starts at position 0. */
  cache?: KvCache;
  /** Which positions' logits to compute; default "last". */
  logits?: "last" | "all" | "none";
}

export interface ForwardResult {
  /** Raw logits: vocab values ("last"), T x vocab ("all"), or empty ("none"). */
  logits: Float32Array;
  captures: Map<HookSite, Float32Array>;
}

export interface ContinuationOptions {
  /** Hook sites to capture, per continuation (its own tokens, T_i x hidden). */
  capture?: HookSite[];
  /** Steering per continuation, in the same order; positions are absolute, as in forward. */
  steer?: readonly (readonly SteerSpec[] | undefined)[];
}

/**
 * A run of new tokens that continues the cache from its end (absolute positions start, start+1,
 * ...) and attends to the cached positions and its own earlier tokens. A plain forward is one
 * segment; forwardContinuations runs several side by side in one pass, so every matmul reads its
 * weights once for all of them, while attention keeps them apart (block-causal).
 */
interface Segment {
  tokens: readonly number[];
  /** Its first row in the scratch buffers. */
  firstRow: number;
  hooks: HookPlan;
  captures: Map<HookSite, Float32Array>;
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
  /** Rotary tables of full-attention layers, and of sliding layers when their rope differs. */
  private readonly rotary: RotaryTable | null;
  private readonly slidingRotary: RotaryTable | null;
  /** Calls share scratch buffers, so they run one at a time in arrival order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly config: ModelConfig,
    readonly weights: ModelWeights,
    readonly backend: ComputeBackend,
  ) {
    this.scratch = new Scratch(backend, config);
    this.ownCache = this.createCache();
    const table = (rope: ModelConfig["rope"]) =>
      rope ? new RotaryTable(rope, config.headDim, config.maxPositions) : null;
    this.rotary = table(config.rope);
    this.slidingRotary = config.slidingRope ? table(config.slidingRope) : this.rotary;
  }

  createCache(): LayerKvCache {
    return new LayerKvCache(
      this.config.numLayers,
      this.config.numKvHeads * this.config.headDim,
      this.config.maxPositions,
    );
  }

  forward(tokens: readonly number[], opts: ForwardOptions = {}): Promise<ForwardResult> {
    return this.inTurn(async () => {
      const cache = this.cacheFor(opts.cache);
      const segment = this.segment(tokens, 0, opts.capture ?? [], opts.steer ?? []);
      const [result] = await this.run(cache, [segment], opts.logits ?? "last", { append: true });
      return result;
    });
  }

  /**
   * Runs each continuation after the cached prefix, all in one pass, and returns each one's
   * last-token logits (and captures): the same as a forward of the continuation from a clone of
   * the prefix, without cloning, and with the prefix cache left as it was.
   */
  forwardContinuations(
    prefix: KvCache,
    continuations: readonly (readonly number[])[],
    opts: ContinuationOptions = {},
  ): Promise<ForwardResult[]> {
    return this.inTurn(async () => {
      const cache = this.cacheFor(prefix);
      if (continuations.length === 0) return [];
      if (opts.steer && opts.steer.length !== continuations.length)
        throw new PvaError(
          `forwardContinuations: ${opts.steer.length} steering lists for ${continuations.length} continuations`,
          "E_STEER",
        );
      let row = 0;
      const segments = continuations.map((tokens, i) => {
        const segment = this.segment(tokens, row, opts.capture ?? [], opts.steer?.[i] ?? []);
        row += tokens.length;
        return segment;
      });
      return this.run(cache, segments, "last", { append: false });
    });
  }

  private inTurn<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private segment(
    tokens: readonly number[],
    firstRow: number,
    capture: readonly HookSite[],
    steer: readonly SteerSpec[],
  ): Segment {
    const c = this.config;
    if (tokens.length === 0) throw new PvaError("forward: no tokens given", "E_FORWARD");
    const hooks = new HookPlan(capture, steer, c.numLayers, c.hiddenSize);
    return { tokens, firstRow, hooks, captures: new Map() };
  }

  /**
   * The forward pass over the segments' rows. With `append` (one segment) the cache keeps the new
   * positions; otherwise each segment's keys and values are written past the cache's end in turn
   * and the cache's length is left as it was.
   */
  private async run(
    cache: LayerKvCache,
    segments: readonly Segment[],
    mode: "last" | "all" | "none",
    { append }: { append: boolean },
  ): Promise<ForwardResult[]> {
    const c = this.config;
    const { hiddenSize: h, vocabSize: vocab } = c;
    const start = cache.length;
    const T = segments.reduce((sum, seg) => sum + seg.tokens.length, 0);
    const longest = segments.reduce((m, seg) => Math.max(m, seg.tokens.length), 0);
    if (start + longest > c.maxPositions)
      throw new PvaError(
        `forward: ${start + longest} positions exceed the model's context of ${c.maxPositions}`,
        "E_CONTEXT",
      );
    const s = this.scratch;
    s.ensure(T);
    cache.reserve(start + longest);
    this.rotary?.prepare(start + longest);
    this.slidingRotary?.prepare(start + longest);
    const w = this.weights;
    const x = s.x;
    const projected = s.projected;
    /** Runs the hooks at one place (blockSlot/finalSlot) on each segment's rows. */
    const hooksAt = (slot: number, residual: Float32Array) => {
      for (const seg of segments)
        seg.hooks.apply(slot, residual.subarray(seg.firstRow * h), seg.tokens.length, h, start, seg.captures);
    };

    // Embeddings (plus learned positions for GPT-2).
    for (const seg of segments) {
      for (let t = 0; t < seg.tokens.length; t++) {
        const id = seg.tokens[t];
        if (!Number.isInteger(id) || id < 0 || id >= vocab)
          throw new PvaError(
            `forward: token id ${id} at index ${t} is outside the vocabulary [0, ${vocab})`,
            "E_FORWARD",
          );
        const row = (seg.firstRow + t) * h;
        decodeMatrixRows(w.tokenEmbedding, id, 1, x, row);
        if (c.embeddingScale !== 1) for (let i = 0; i < h; i++) x[row + i] *= c.embeddingScale;
        if (w.positionEmbedding) {
          const pe = (start + t) * h;
          for (let i = 0; i < h; i++) x[row + i] += w.positionEmbedding[pe + i];
        }
      }
    }

    for (let l = 0; l < c.numLayers; l++) {
      const L = w.layers[l];
      hooksAt(blockSlot(l, "pre"), x);

      this.norm(x, s.normed, T, L.attnNorm, L.attnNormBias);
      await this.attention(l, T, segments, start, cache);
      if (c.postNorms) this.norm(projected, projected, T, L.attnPostNorm!, null);
      for (let i = 0; i < T * h; i++) x[i] += projected[i];
      hooksAt(blockSlot(l, "mid"), x);

      this.norm(x, s.normed, T, L.mlpNorm, L.mlpNormBias);
      await this.mlp(l, T);
      if (c.postNorms) this.norm(projected, projected, T, L.mlpPostNorm!, null);
      for (let i = 0; i < T * h; i++) x[i] += projected[i];
      hooksAt(blockSlot(l, "post"), x);
    }
    if (append) cache.length = start + T;

    this.norm(x, s.normed, T, w.finalNorm, w.finalNormBias);
    hooksAt(finalSlot(c.numLayers), s.normed);

    if (mode === "none")
      return segments.map((seg) => ({ logits: new Float32Array(0), captures: seg.captures }));
    // "last": the segments' last rows, gathered so the LM head reads its weights once for all.
    let rows = T;
    let input = s.normed;
    if (mode === "last") {
      rows = segments.length;
      input = projected;
      segments.forEach((seg, i) => {
        const last = (seg.firstRow + seg.tokens.length - 1) * h;
        input.set(s.normed.subarray(last, last + h), i * h);
      });
    }
    const logits = s.ensureLogits(rows);
    await this.backend.matmul(logits, input, w.lmHead, rows);
    const cap = c.finalSoftCap;
    if (cap !== null) for (let i = 0; i < rows * vocab; i++) logits[i] = cap * Math.tanh(logits[i] / cap);
    return segments.map((seg, i) => {
      const [from, to] = mode === "last" ? [i, i + 1] : [seg.firstRow, seg.firstRow + seg.tokens.length];
      return { logits: logits.slice(from * vocab, to * vocab), captures: seg.captures };
    });
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

  /**
   * RMSNorm (x / rms(x) * w) or LayerNorm ((x - mean) / std * w + b), row by row over rows of
   * `width` (the hidden size unless given); `out` may be `x`.
   */
  private norm(
    x: Float32Array,
    out: Float32Array,
    rows: number,
    weight: Float32Array,
    bias: Float32Array | null,
    width = this.config.hiddenSize,
  ): void {
    const h = width;
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

  /**
   * Multi-head attention with grouped KV heads; reads `normed`, writes `projected`. Each segment
   * attends causally to the cache and its own tokens: its keys and values go in at the cache's
   * end, one segment after another, so the backend's causal kernel serves them all.
   */
  private async attention(
    l: number,
    T: number,
    segments: readonly Segment[],
    start: number,
    cache: LayerKvCache,
  ): Promise<void> {
    const c = this.config;
    const s = this.scratch;
    const L = this.weights.layers[l];
    const { headDim: hd, numHeads, numKvHeads } = c;
    const qDim = numHeads * hd;
    const kvDim = numKvHeads * hd;
    await this.backend.matmul(s.q, s.normed, L.wq, T, L.bq ?? undefined);
    await this.backend.matmul(s.k, s.normed, L.wk, T, L.bk ?? undefined);
    await this.backend.matmul(s.v, s.normed, L.wv, T, L.bv ?? undefined);
    if (c.qkNorm) {
      this.norm(s.q, s.q, T * numHeads, L.qNorm!, null, hd);
      this.norm(s.k, s.k, T * numKvHeads, L.kNorm!, null, hd);
    }
    const sliding = c.layerAttention[l] === "sliding";
    const rotary = sliding ? this.slidingRotary : this.rotary;
    const options = {
      scale: c.attentionScale,
      softCap: c.attnSoftCap,
      window: sliding ? c.slidingWindow : null,
    };
    const keys = cache.keys[l];
    const values = cache.values[l];
    for (const { firstRow, tokens } of segments) {
      const n = tokens.length;
      const q = s.q.subarray(firstRow * qDim, (firstRow + n) * qDim);
      const k = s.k.subarray(firstRow * kvDim, (firstRow + n) * kvDim);
      rotary?.rotate(q, n, numHeads, start);
      rotary?.rotate(k, n, numKvHeads, start);
      keys.set(k, start * kvDim);
      values.set(s.v.subarray(firstRow * kvDim, (firstRow + n) * kvDim), start * kvDim);
      const attended = s.attended.subarray(firstRow * qDim, (firstRow + n) * qDim);
      await this.backend.attention(attended, q, keys, values, n, start, numHeads, numKvHeads, hd, options);
    }
    await this.backend.matmul(s.projected, s.attended, L.wo, T, L.bo ?? undefined);
  }

  /**
   * SwiGLU down(silu(gate(x)) * up(x)), GeGLU down(gelu(gate(x)) * up(x)), or a plain
   * down(gelu(up(x))), with GELU's tanh approximation; reads `normed`, writes `projected`.
   */
  private async mlp(l: number, T: number): Promise<void> {
    const c = this.config;
    const s = this.scratch;
    const L = this.weights.layers[l];
    const { intermediateSize: ff } = c;
    const n = T * ff;
    const { up, gate } = s;
    await this.backend.matmul(up, s.normed, L.wUp, T, L.bUp ?? undefined);
    if (c.mlp === "gelu") {
      for (let i = 0; i < n; i++) gate[i] = geluTanh(up[i]);
    } else {
      await this.backend.matmul(gate, s.normed, L.wGate!, T, L.bGate ?? undefined);
      if (c.mlp === "swiglu") await this.backend.siluMul(gate, up, n);
      else for (let i = 0; i < n; i++) gate[i] = geluTanh(gate[i]) * up[i];
    }
    await this.backend.matmul(s.projected, gate, L.wDown, T, L.bDown ?? undefined);
  }
}

const GELU_K = Math.sqrt(2 / Math.PI);

/** GELU with the tanh approximation (transformers' gelu_new / gelu_pytorch_tanh). */
function geluTanh(u: number): number {
  return 0.5 * u * (1 + Math.tanh(GELU_K * (u + 0.044715 * u * u * u)));
}
