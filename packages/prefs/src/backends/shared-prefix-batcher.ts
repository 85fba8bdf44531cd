import type { KvCache, Model, SteerSpec, TournamentSteering } from "@pva/lm";

/** One prompt whose next-token logits are wanted. */
export interface PrefixPrompt {
  tokens: number[];
  /** The cache is kept up to here after the prompt (its shared part: "... (A) {a} or (B)"). */
  keepUpTo: number;
  steer: SteerSpec[];
  /** The steering request the specs came from: equal specs from another source may carry other vectors. */
  source: TournamentSteering | undefined;
}

export interface SharedPrefixBatcherOptions {
  /** Most prompts run in one pass (default 32). */
  maxBatch?: number;
  /**
   * How long to wait for stragglers: once the model is free, requests are gathered until as many
   * are waiting as the last batch had, or until this many ms pass without a new one (default 50).
   */
  windowMs?: number;
}

interface Waiting {
  prompt: PrefixPrompt;
  resolve: (logits: Float32Array) => void;
  reject: (error: unknown) => void;
}

/**
 * Next-token logits for prompts that share prefixes, with the KV cache kept between calls.
 * Requests that arrive while the model is busy wait; then those whose prefix (everything before
 * the later activity's text) is the same run together: the prefix once, if the cache does not
 * already hold it, and all their continuations in one `forwardContinuations` pass, so every
 * matmul reads its weights once for the whole group. A caller that awaits each answer before
 * asking the next gets batches of one, which is the plain prefix-reuse path.
 */
export class SharedPrefixBatcher {
  private readonly maxBatch: number;
  private readonly windowMs: number;
  private waiting: Waiting[] = [];
  private running = false;
  private lastBatch = 1;
  /** The tokens the kept cache holds, and the steering those positions got. */
  private kept: {
    tokens: number[];
    cache: KvCache;
    steer: SteerSpec[];
    source: TournamentSteering | undefined;
  };

  constructor(
    private readonly model: Model,
    opts: SharedPrefixBatcherOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 32);
    this.windowMs = opts.windowMs ?? 50;
    this.kept = { tokens: [], cache: model.createCache(), steer: [], source: undefined };
  }

  logits(prompt: PrefixPrompt): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ prompt, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        await this.gather();
        const batch = this.waiting.splice(0, this.maxBatch);
        this.lastBatch = batch.length;
        for (const group of groupBySharedPrefix(batch)) await this.runGroup(group);
      }
    } finally {
      this.running = false;
    }
  }

  /** Lets requests issued in the same tick join, then waits while stragglers keep coming. */
  private async gather(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const expected = Math.min(this.lastBatch, this.maxBatch);
    while (this.waiting.length < expected) {
      const seen = this.waiting.length;
      await new Promise((resolve) => setTimeout(resolve, this.windowMs));
      if (this.waiting.length === seen) return;
    }
  }

  private async runGroup(group: readonly Waiting[]): Promise<void> {
    try {
      const { tokens, steer, source } = group[0].prompt;
      const keep = keepLength(group[0].prompt);
      const kept = this.kept;
      let reuse = Math.min(commonPrefixLength(kept.tokens, tokens), keep);
      reuse = Math.min(reuse, steeringAgreesUpTo(kept.steer, kept.source, steer, source, reuse));
      kept.cache.truncate(reuse);
      kept.tokens = tokens.slice(0, reuse);
      if (keep > reuse)
        await this.model.forward(tokens.slice(reuse, keep), { cache: kept.cache, logits: "none", steer });
      kept.tokens = tokens.slice(0, keep);
      kept.steer = steer;
      kept.source = source;
      const results = await this.model.forwardContinuations(
        kept.cache,
        group.map(({ prompt }) => prompt.tokens.slice(keep)),
        { steer: group.map(({ prompt }) => prompt.steer) },
      );
      group.forEach(({ resolve }, i) => {
        resolve(results[i].logits);
      });
    } catch (error) {
      for (const { reject } of group) reject(error);
    }
  }
}

/** At least the last token must run to give its logits. */
function keepLength(prompt: PrefixPrompt): number {
  return Math.min(prompt.keepUpTo, prompt.tokens.length - 1);
}

/** Prompts with the same tokens and steering up to where each keeps the cache, in arrival order. */
function groupBySharedPrefix(batch: readonly Waiting[]): Waiting[][] {
  const groups: Waiting[][] = [];
  for (const waiting of batch) {
    const p = waiting.prompt;
    const keep = keepLength(p);
    const group = groups.find(([{ prompt: q }]) => {
      return (
        keepLength(q) === keep &&
        commonPrefixLength(q.tokens, p.tokens) >= keep &&
        steeringAgreesUpTo(q.steer, q.source, p.steer, p.source, keep) === keep
      );
    });
    if (group) group.push(waiting);
    else groups.push([waiting]);
  }
  return groups;
}

/**
 * How many leading cached positions got the same steering as this prompt will: all `upTo` when
 * the same steering touches the same positions there, else only the positions before any steering.
 */
function steeringAgreesUpTo(
  cachedSpecs: readonly SteerSpec[],
  cachedSource: TournamentSteering | undefined,
  specs: readonly SteerSpec[],
  source: TournamentSteering | undefined,
  upTo: number,
): number {
  const clip = (list: readonly SteerSpec[]) =>
    list
      .filter((spec) => spec.positions.start < upTo)
      .map(
        (spec) => `${spec.site}:${spec.scale}:${spec.positions.start}-${Math.min(spec.positions.end, upTo)}`,
      )
      .join(",");
  if (cachedSource === source && clip(cachedSpecs) === clip(specs)) return upTo;
  return [...cachedSpecs, ...specs].reduce((m, spec) => Math.min(m, spec.positions.start), upTo);
}

function commonPrefixLength(x: readonly number[], y: readonly number[]): number {
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}
