import { existsSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { createRng, type Rng } from "@pva/core";
import { architectureNamed } from "./architectures/registry.js";
import { buildByteLevelBpe, byteLevelTokenizerConfig, byteLevelTokenizerJson } from "./byte-level-bpe.js";
import type { ModelConfig } from "./config.js";
import { type GgufTensorToWrite, tensorWeightType, writeGguf } from "./formats/gguf-writer.js";
import { elementCount, rowLength } from "./formats/tensor-store.js";
import { modelGgufMetadata } from "./gguf-export.js";
import { chooseTensorTypes, type GgufFileType, parseGgufFileType } from "./gguf-file-type.js";
import { parseHfConfig } from "./hf-config.js";
import { type WeightMatrix, weightRowBytes } from "./kernels/weight-matrix.js";
import type { RandomCheckpointSpec } from "./random-checkpoint.js";
import { type RandomRowsJob, randomStoredRows } from "./random-gguf-rows.js";
import type { LayerWeights, ModelWeights } from "./weights.js";

/**
 * Random models written straight to GGUF in a quantized type, tensor by tensor, for shapes too
 * big to hold (an 8B model is 32 GB as F32): no HF folder, no F32 copy, one chunk of rows per
 * thread in memory. Marked random like writeRandomCheckpoint's (`pva.random_weights`).
 */

/** Llama-3.1-8B-Instruct's shape (its config.json), for full-size benchmarks. */
export const LLAMA_3_1_8B_SHAPE: RandomCheckpointSpec = {
  architecture: "llama",
  hiddenSize: 4096,
  numLayers: 32,
  numHeads: 32,
  numKvHeads: 8,
  intermediateSize: 14336,
  vocabSize: 128256,
  maxPositions: 131072,
  ropeTheta: 500000,
  ropeScaling: { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
  tieWordEmbeddings: false,
  seed: "random-llama-3.1-8b",
  initStd: 0.02,
};

export interface RandomGgufOptions {
  /** The file type, as convertToGguf takes it ("q4_K_M", "Q8_0", ...). */
  type: GgufFileType | Uppercase<GgufFileType>;
  /** Threads drawing and quantizing rows (default: all cores); 1 draws on the calling thread. */
  threads?: number;
  /** Called as each chunk of a matrix is made: its bytes so far, of all matrices'. */
  onProgress?: (p: { file: string; loaded: number; total: number }) => void;
}

/**
 * Writes a random model of `spec`'s shape as a GGUF file of `opts.type`, laid out as
 * convertToGguf would lay out writeRandomCheckpoint's folder (same metadata, tensor names, order
 * and per-tensor types, Q4_K_M's mix included), but with weights drawn chunk by chunk on worker
 * threads (see randomStoredRows) and quantized there by our quantizer. Norm gains are
 * 1 + N(0, 0.1^2) as in writeRandomCheckpoint. The file is written atomically.
 */
export async function writeRandomGguf(file: string, spec: RandomCheckpointSpec, opts: RandomGgufOptions) {
  const type = parseGgufFileType(opts.type);
  if (!type) throw new RangeError(`writeRandomGguf: unknown type ${opts.type}`);
  if (spec.architecture === "gpt2") throw new RangeError("writeRandomGguf: gpt2 is not supported");
  const architecture = architectureNamed(spec.architecture);
  const configJson = { ...architecture.randomConfigJson(spec), pva: { random_weights: true } };
  const config = parseHfConfig(configJson, `${file} (random config)`);
  const rng = createRng(spec.seed).fork("random-gguf");
  const tensors = chooseTensorTypes(
    type,
    architecture.ggufTensors(placeholderWeights(config, rng), config),
    config.numLayers,
  );
  const seed = String(spec.seed);
  const matrixStd = spec.initStd ?? 0.02;
  const embeddingStd = spec.embeddingInitStd ?? matrixStd;
  const pool = await RandomRowsPool.start(Math.max(1, Math.floor(opts.threads ?? availableParallelism())));
  // Progress counts the drawn matrices; norms and rope divisors are a few KB.
  const total = tensors.reduce((sum, t) => sum + (t.data instanceof Float32Array ? 0 : tensorBytes(t)), 0);
  let loaded = 0;
  const report = (bytes: number) => {
    loaded += bytes;
    opts.onProgress?.({ file, loaded, total });
  };
  const random: GgufTensorToWrite[] = tensors.map((t) => {
    if (t.data instanceof Float32Array) return t;
    const cols = rowLength(t.shape);
    const weightType = tensorWeightType(t.type);
    const std = t.name === "token_embd.weight" ? embeddingStd : matrixStd;
    return {
      ...t,
      data: {
        inFlight: 2 * pool.threads,
        async storedRows(first: number, count: number) {
          const bytes = await pool.run({ seed, tensor: t.name, first, count, cols, std, type: weightType });
          report(bytes.length);
          return bytes;
        },
      },
    };
  });
  const bpe = buildByteLevelBpe(config.vocabSize);
  const template = byteLevelTokenizerConfig().chat_template;
  try {
    await writeGguf(
      file,
      modelGgufMetadata({
        config,
        tokenizerJson: byteLevelTokenizerJson(bpe),
        chatTemplate: typeof template === "string" ? template : null,
        type,
      }),
      random,
    );
  } finally {
    await pool.close();
  }
}

/**
 * The GGUF file of a random model in the model cache (`<cacheDir>/random-gguf/<name>-<type>.gguf`),
 * written on first use and reused afterwards. `name` must change whenever the spec does.
 */
export async function randomGgufInCache(
  name: string,
  spec: RandomCheckpointSpec,
  cacheDir: string,
  opts: RandomGgufOptions,
): Promise<string> {
  const type = parseGgufFileType(opts.type);
  if (!type) throw new RangeError(`randomGgufInCache: unknown type ${opts.type}`);
  const file = join(cacheDir, "random-gguf", `${name}-${VERSION}-${type}.gguf`);
  const exists = await stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!exists) {
    await mkdir(dirname(file), { recursive: true });
    await writeRandomGguf(file, spec, opts);
  }
  return file;
}
// Changes whenever what writeRandomGguf writes for a spec changes, so a stale file is never reused.
const VERSION = "v1";

function tensorBytes(t: GgufTensorToWrite): number {
  const cols = rowLength(t.shape);
  return (elementCount(t.shape) / Math.max(cols, 1)) * weightRowBytes(tensorWeightType(t.type), cols);
}

/**
 * Weights for architecture.ggufTensors to lay out: matrices are shapes only (writeRandomGguf
 * replaces their data), vectors are drawn here (gains 1 + N(0, 0.1^2), biases N(0, 0.02^2)).
 */
function placeholderWeights(c: ModelConfig, rng: Rng): ModelWeights {
  const matrix = (rows: number, cols: number): WeightMatrix => ({
    type: "f32",
    rows,
    cols,
    data: new Uint8Array(0),
  });
  const vector = (name: string, n: number, center: number, std: number) => {
    const r = rng.fork(name);
    return Float32Array.from({ length: n }, () => center + std * r.normal());
  };
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const h = c.hiddenSize;
  const ff = c.intermediateSize;
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `layer${l}.`;
    const gain = (name: string, n: number) => vector(p + name, n, 1, 0.1);
    const bias = (name: string, n: number, on: boolean) => (on ? vector(p + name, n, 0, 0.02) : null);
    layers.push({
      attnNorm: gain("attnNorm", h),
      attnNormBias: null,
      wq: matrix(qDim, h),
      wk: matrix(kvDim, h),
      wv: matrix(kvDim, h),
      wo: matrix(h, qDim),
      bq: bias("bq", qDim, c.qkvBias),
      bk: bias("bk", kvDim, c.qkvBias),
      bv: bias("bv", kvDim, c.qkvBias),
      bo: bias("bo", h, c.attnOutputBias),
      qNorm: c.qkNorm ? gain("qNorm", c.headDim) : null,
      kNorm: c.qkNorm ? gain("kNorm", c.headDim) : null,
      attnPostNorm: c.postNorms ? gain("attnPostNorm", h) : null,
      mlpNorm: gain("mlpNorm", h),
      mlpNormBias: null,
      wGate: matrix(ff, h),
      wUp: matrix(ff, h),
      wDown: matrix(h, ff),
      bGate: bias("bGate", ff, c.mlpBias),
      bUp: bias("bUp", ff, c.mlpBias),
      bDown: bias("bDown", h, c.mlpBias),
      mlpPostNorm: c.postNorms ? gain("mlpPostNorm", h) : null,
    });
  }
  const tokenEmbedding = matrix(c.vocabSize, h);
  return {
    tokenEmbedding,
    positionEmbedding: null,
    layers,
    finalNorm: vector("finalNorm", h, 1, 0.1),
    finalNormBias: null,
    lmHead: c.tieWordEmbeddings ? tokenEmbedding : matrix(c.vocabSize, h),
  };
}

/**
 * Worker threads running randomStoredRows. The worker module is dist/random-gguf-worker.js in
 * the published bundle; from src/ (tests, benches under tsx) it is the .ts file, loaded through
 * tsx's register hook. Without either (or with one thread) chunks are made on this thread.
 */
class RandomRowsPool {
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }
  >();
  private readonly idle: Worker[] = [];
  private readonly queue: (RandomRowsJob & { id: number })[] = [];

  private constructor(
    private readonly workers: Worker[],
    readonly threads: number,
  ) {
    for (const worker of workers) {
      worker.on("message", (reply: { id: number; bytes?: Uint8Array; error?: string }) => {
        const waiter = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        if (reply.bytes) waiter?.resolve(reply.bytes);
        else waiter?.reject(new Error(`writeRandomGguf: ${reply.error}`));
        this.dispatch(worker);
      });
      worker.on("error", (error) => {
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
      });
      this.idle.push(worker);
    }
  }

  static async start(threads: number): Promise<RandomRowsPool> {
    const source = threads > 1 ? workerSource() : undefined;
    if (!source) return new RandomRowsPool([], 1);
    // No inherited execArgv: a parent run as `node --input-type=module -e` could not start a file worker.
    const workers = Array.from({ length: threads }, () =>
      source.eval
        ? new Worker(source.code, { eval: true, execArgv: [], workerData: source.workerData })
        : new Worker(source.url, { execArgv: [] }),
    );
    return new RandomRowsPool(workers, threads);
  }

  run(job: RandomRowsJob): Promise<Uint8Array> {
    if (this.workers.length === 0) return Promise.resolve().then(() => randomStoredRows(job));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.queue.push({ ...job, id });
      const worker = this.idle.pop();
      if (worker) this.dispatch(worker);
    });
  }

  private dispatch(worker: Worker): void {
    const job = this.queue.shift();
    if (job) worker.postMessage(job);
    else if (!this.idle.includes(worker)) this.idle.push(worker);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function workerSource():
  | { eval: false; url: URL }
  | { eval: true; code: string; workerData: { tsx: string; url: string } }
  | undefined {
  const built = new URL("./random-gguf-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(built))) return { eval: false, url: built };
  const source = new URL("./random-gguf-worker.ts", import.meta.url);
  if (!existsSync(fileURLToPath(source))) return undefined;
  let tsx: string;
  try {
    tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href;
  } catch {
    return undefined;
  }
  return {
    eval: true,
    code: `const { workerData } = require("node:worker_threads");
(async () => { const { register } = await import(workerData.tsx); register(); await import(workerData.url); })();`,
    workerData: { tsx, url: source.href },
  };
}
