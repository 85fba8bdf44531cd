import { getLlama, type Llama, LlamaLogLevel, type Token } from "node-llama-cpp";

/**
 * llama.cpp (through node-llama-cpp) as the independent reference for the forward pass. The
 * context options are the ones that make it exact (see shared/docs/llama-cpp-oracle.md):
 * no flash attention and an F32 KV cache.
 */

let llama: Promise<Llama> | null = null;

function sharedLlama(): Promise<Llama> {
  llama ??= getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  return llama;
}

/** Natural-log next-token probabilities at every position (rows), from llama.cpp's full softmax. */
export async function llamaCppNextTokenLogProbs(
  ggufFile: string,
  tokens: number[],
  vocabSize: number,
): Promise<Float64Array[]> {
  const model = await (await sharedLlama()).loadModel({ modelPath: ggufFile });
  try {
    const context = await model.createContext({
      contextSize: Math.max(64, tokens.length + 8),
      batchSize: tokens.length,
      flashAttention: false,
      experimentalKvCacheKeyType: "F32",
      experimentalKvCacheValueType: "F32",
      threads: 2,
    });
    try {
      const results = await context
        .getSequence()
        .controlledEvaluate(tokens.map((t) => [t as Token, { generateNext: { probabilities: true } }]));
      return results.map((r, i) => {
        const probabilities = r?.next?.probabilities;
        if (!probabilities) throw new Error(`llama.cpp returned no probabilities at position ${i}`);
        const row = new Float64Array(vocabSize).fill(Number.NEGATIVE_INFINITY);
        for (const [token, p] of probabilities) row[token] = Math.log(p);
        return row;
      });
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}

/** llama.cpp's embedding of the last token: the hidden state after the final norm. */
export async function llamaCppLastTokenEmbedding(ggufFile: string, tokens: number[]): Promise<Float64Array> {
  const model = await (await sharedLlama()).loadModel({ modelPath: ggufFile });
  try {
    const context = await model.createEmbeddingContext({
      contextSize: Math.max(64, tokens.length + 8),
      threads: 2,
    });
    try {
      const embedding = await context.getEmbeddingFor(tokens as Token[]);
      return Float64Array.from(embedding.vector);
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}

/** Row-wise log-softmax of T x vocab logits, in float64. */
export function logSoftmaxRows(logits: Float32Array, vocabSize: number): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let r = 0; r < logits.length / vocabSize; r++) {
    const row = logits.subarray(r * vocabSize, (r + 1) * vocabSize);
    let max = Number.NEGATIVE_INFINITY;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const logZ = max + Math.log(sum);
    rows.push(Float64Array.from(row, (v) => v - logZ));
  }
  return rows;
}

/**
 * Max |difference| of log-probabilities over the tokens whose reference log-prob exceeds
 * `floor` (default -80: llama.cpp's float32 softmax underflows below about e^-100, so those
 * entries carry no information).
 */
export function maxLogProbDifference(reference: Float64Array[], ours: Float64Array[], floor = -80): number {
  let worst = 0;
  reference.forEach((row, r) => {
    for (let i = 0; i < row.length; i++)
      if (Number.isFinite(row[i]) && row[i] > floor) worst = Math.max(worst, Math.abs(row[i] - ours[r][i]));
  });
  return worst;
}

export function argmaxRow(row: Float64Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** llama.cpp's tokenization of `text` (no BOS, special tokens as text). */
export async function llamaCppTokenize(ggufFile: string, text: string): Promise<number[]> {
  const model = await (await sharedLlama()).loadModel({ modelPath: ggufFile });
  try {
    return model.tokenize(text, false).map(Number);
  } finally {
    await model.dispose();
  }
}
