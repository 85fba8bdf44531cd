import { createRng } from "@pva/core";
import type { Transformer } from "./model.js";
import type { SteerSpec } from "./steering-vector.js";
import type { Tokenizer } from "./tokenizer.js";

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 or absent: greedy (argmax); otherwise sample from softmax(logits / temperature). */
  temperature?: number;
  /** Seed of the sampling stream (default 0). */
  seed?: number;
  /** Same meaning as in forward: absolute positions, so a span may cover generated tokens too. */
  steer?: SteerSpec[];
  /** Token ids that end generation (in addition to EOS); they are not included in the result. */
  stop?: number[];
}

/** Continues `prompt` token by token, reusing the KV cache so each new token costs one position. */
export async function generate(
  transformer: Transformer,
  tokenizer: Tokenizer,
  prompt: readonly number[],
  opts: GenerateOptions,
): Promise<{ tokens: number[]; text: string }> {
  const temperature = opts.temperature ?? 0;
  const rng = createRng(opts.seed ?? 0).fork("generate");
  const stop = new Set(opts.stop ?? []);
  if (tokenizer.eosId !== null) stop.add(tokenizer.eosId);
  const cache = transformer.createCache();
  const produced: number[] = [];
  let { logits } = await transformer.forward(prompt, { cache, steer: opts.steer, logits: "last" });
  for (let step = 0; step < opts.maxNewTokens; step++) {
    const next = temperature > 0 ? sample(logits, temperature, rng.float()) : argmax(logits);
    if (stop.has(next)) break;
    produced.push(next);
    if (step + 1 === opts.maxNewTokens || cache.length + 1 >= transformer.config.maxPositions) break;
    ({ logits } = await transformer.forward([next], { cache, steer: opts.steer, logits: "last" }));
  }
  return { tokens: produced, text: tokenizer.decode(produced, { skipSpecialTokens: true }) };
}

export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Inverse-CDF sampling from softmax(logits / temperature) with one uniform draw. */
function sample(logits: Float32Array, temperature: number, u: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let total = 0;
  const weights = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) {
    weights[i] = Math.exp((logits[i] - max) / temperature);
    total += weights[i];
  }
  let target = u * total;
  for (let i = 0; i < logits.length; i++) {
    target -= weights[i];
    if (target < 0) return i;
  }
  return logits.length - 1;
}
