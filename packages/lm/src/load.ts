import { readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { PvaError } from "@pva/core";
import { architectureNamed } from "./architectures/registry.js";
import type { KvCache } from "./cache.js";
import type { ModelConfig } from "./config.js";
import { openGguf } from "./formats/gguf.js";
import { openSafetensorsCheckpoint } from "./formats/safetensors.js";
import type { TensorStore } from "./formats/tensor-store.js";
import { type GenerateOptions, generate } from "./generate.js";
import { configFromGguf } from "./gguf-model.js";
import { tokenizerFilesFromGguf } from "./gguf-tokenizer.js";
import { parseHfConfig } from "./hf-config.js";
import { type ComputeBackend, createComputeBackend } from "./kernels/index.js";
import { type ContinuationOptions, type ForwardOptions, type ForwardResult, Transformer } from "./model.js";
import {
  assertFits,
  availableMemory,
  type ModelFootprint,
  memoryNeeded,
  modelFootprint,
} from "./model-footprint.js";
import { hashModelFiles } from "./model-hash.js";
import { resolveBuiltin } from "./sources/builtin.js";
import { defaultCacheDir } from "./sources/cache-dir.js";
import { type DownloadProgress, resolveHub } from "./sources/hub.js";
import { createTokenizer, type Tokenizer, type TokenizerFiles } from "./tokenizer.js";
import { type ModelWeights, type QuantizeType, WeightReader } from "./weights.js";

export interface LoadModelOptions {
  /** Where hub downloads and builtin models are cached (default: PVA_CACHE_DIR or ~/.cache/pva/models). */
  cacheDir?: string;
  /** Bytes of each hub file downloaded, or of a builtin model's weights drawn when it is first written. */
  onProgress?: (p: DownloadProgress) => void;
  /** Weight bytes read so far while loading, of `total` (the tensor data in the file(s)). */
  onLoadProgress?: (p: { loaded: number; total: number }) => void;
  /** Threads for the matmul kernels (default: all cores). */
  threads?: number;
  /** Hub base URL (default: HF_ENDPOINT or https://huggingface.co). */
  hubUrl?: string;
  /** Kernel backend (default: the fastest available). */
  backend?: "wasm" | "js";
  /**
   * Quantize F32/F16/BF16 linear weights to this type while loading (already quantized ones
   * stay as stored), so an 8B BF16 folder takes about 8.5 GB as q8_0 instead of 16 (or 32 as F32).
   */
  quantize?: QuantizeType;
  /**
   * Bytes of memory the model may take; a model whose weights need more is refused before any
   * weight is read (default: the free memory now, see availableMemory).
   */
  availableMemory?: number;
}

export interface Model {
  /** The source string it was loaded from. */
  id: string;
  /** sha256 of the files that define it. */
  hash: string;
  /** True for builtin:random-* models: their outputs mean nothing. */
  builtinRandom: boolean;
  /**
   * True when the weights are random: builtin models, and any checkpoint whose config.json or
   * GGUF metadata says so (`pva.random_weights`, stamped by writeRandomCheckpoint and kept by
   * our GGUF writer). Reports show a random-weights banner for these.
   */
  randomWeights: boolean;
  config: ModelConfig;
  /** Its parameters, stored types and bytes, and what its weights take in memory as loaded. */
  footprint: ModelFootprint;
  tokenizer: Tokenizer;
  forward(tokens: number[], opts?: ForwardOptions): Promise<ForwardResult>;
  /**
   * Several continuations of one cached prefix in one pass (each attends to the prefix and its
   * own earlier tokens): per continuation, its last-token logits and captures. The prefix cache
   * is left unchanged.
   */
  forwardContinuations(
    prefix: KvCache,
    continuations: readonly (readonly number[])[],
    opts?: ContinuationOptions,
  ): Promise<ForwardResult[]>;
  generate(tokens: number[], opts: GenerateOptions): Promise<{ tokens: number[]; text: string }>;
  createCache(): KvCache;
  dispose(): Promise<void>;
}

interface ResolvedSource {
  path: string;
  isFile: boolean;
  builtinRandom: boolean;
}

/** The local file or folder a source names (downloading or writing it first for hf: and builtin:). */
async function resolveModelSource(
  source: string,
  opts: Pick<LoadModelOptions, "cacheDir" | "onProgress" | "hubUrl">,
): Promise<ResolvedSource> {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  let path: string;
  let builtinRandom = false;
  if (source.startsWith("builtin:")) {
    path = await resolveBuiltin(source.slice("builtin:".length), cacheDir, opts.onProgress);
    builtinRandom = true;
  } else if (source.startsWith("hf:")) {
    path = await resolveHub(source.slice("hf:".length), {
      cacheDir,
      onProgress: opts.onProgress,
      hubUrl: opts.hubUrl,
    });
  } else {
    path = resolve(source);
  }
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => {
      throw new PvaError(
        `${source}: no such file or folder (expected an HF model folder, a .gguf file, hf:org/name or builtin:random-tiny)`,
        "E_MODEL_SOURCE",
      );
    },
  );
  if (isFile && !basename(path).toLowerCase().endsWith(".gguf"))
    throw new PvaError(`${path}: expected a .gguf file or a model folder`, "E_MODEL_SOURCE");
  return { path, isFile, builtinRandom };
}

/** What `pva model info` prints: the model's shape and what loading it takes, without loading it. */
export interface ModelInspection
  extends Pick<Model, "id" | "hash" | "builtinRandom" | "randomWeights" | "config" | "footprint"> {
  /** Size of the files that define it (weights, config.json, tokenizer.json). */
  bytesOnDisk: number;
  /** Memory loading it takes (weights in memory plus room for activations), see memoryNeeded. */
  memoryNeeded: number;
  /** Memory free now. */
  memoryAvailable: number;
}

/** Reads a model's headers (config, tensor shapes and types) and says what loading it would take. */
export async function inspectModel(
  source: string,
  opts: Omit<LoadModelOptions, "availableMemory" | "threads"> = {},
): Promise<ModelInspection> {
  const { path, isFile, builtinRandom } = await resolveModelSource(source, opts);
  const backend = await createComputeBackend({ threads: 1, kind: opts.backend });
  const weightTypes = backend.weightTypes;
  await backend.dispose();
  let config: ModelConfig;
  let store: TensorStore;
  let files: string[];
  if (isFile) {
    const gguf = await openGguf(path);
    store = gguf;
    files = [path];
    try {
      config = await configFromGguf(gguf);
    } catch (e) {
      await gguf.close();
      throw e;
    }
  } else {
    const configFile = join(path, "config.json");
    config = parseHfConfig(await readJson(configFile), configFile);
    store = await openSafetensorsCheckpoint(path);
    files = [configFile, join(path, "tokenizer.json"), ...(await weightFiles(path, store))];
  }
  try {
    const footprint = modelFootprint(store, weightTypes, opts.quantize);
    let bytesOnDisk = 0;
    for (const file of files)
      bytesOnDisk += await stat(file).then(
        (s) => s.size,
        () => 0,
      );
    return {
      id: source,
      hash: await hashModelFiles(files),
      builtinRandom,
      randomWeights: builtinRandom || config.randomWeights,
      config,
      footprint,
      bytesOnDisk,
      memoryNeeded: memoryNeeded(footprint),
      memoryAvailable: availableMemory(),
    };
  } finally {
    await store.close();
  }
}

/**
 * Loads a model from a local HF folder, a .gguf file, `hf:org/name[@revision]`, or
 * `builtin:random-tiny` / `builtin:random-135m`.
 */
export async function loadModel(source: string, opts: LoadModelOptions = {}): Promise<Model> {
  const backend = await createComputeBackend({ threads: opts.threads, kind: opts.backend });
  return loadModelOn(backend, source, opts);
}

/**
 * loadModel on a backend the caller made (tests spread a small model over several WebAssembly
 * memories this way); the model owns the backend from here on and disposes it with itself, or at
 * once if loading fails. `opts.threads` and `opts.backend` are the backend's business, not read.
 */
export async function loadModelOn(
  backend: ComputeBackend,
  source: string,
  opts: LoadModelOptions = {},
): Promise<Model> {
  try {
    const { path, isFile, builtinRandom } = await resolveModelSource(source, opts);
    let total = 0;
    let bytesRead = 0;
    // Set from the checkpoint's headers before any weight is read (and used to refuse a model that cannot fit).
    const measured: { footprint?: ModelFootprint } = {};
    const weightOptions: LoadWeightOptions = {
      quantize: opts.quantize,
      beforeWeights: (store) => {
        const footprint = modelFootprint(store, backend.weightTypes, opts.quantize);
        assertFits(source, footprint, opts.availableMemory ?? availableMemory(), opts.quantize);
        total = footprint.storedBytes;
        measured.footprint = footprint;
      },
      onBytes: opts.onLoadProgress
        ? (bytes) => {
            bytesRead += bytes;
            opts.onLoadProgress?.({ loaded: bytesRead, total });
          }
        : undefined,
    };
    const loaded = isFile
      ? await loadGgufFile(path, backend, weightOptions)
      : await loadHfFolder(path, backend, weightOptions);
    const transformer = new Transformer(loaded.config, loaded.weights, backend);
    const tokenizer = createTokenizer(loaded.tokenizerFiles);
    const { footprint } = measured;
    if (!footprint) throw new Error("loadModel: the weight loader did not report the model's footprint");
    return {
      id: source,
      hash: await hashModelFiles(loaded.files),
      builtinRandom,
      randomWeights: builtinRandom || loaded.config.randomWeights,
      config: loaded.config,
      footprint,
      tokenizer,
      forward: (tokens, o) => transformer.forward(tokens, o),
      forwardContinuations: (prefix, continuations, o) =>
        transformer.forwardContinuations(prefix, continuations, o),
      generate: (tokens, o) => generate(transformer, tokenizer, tokens, o),
      createCache: () => transformer.createCache(),
      dispose: () => backend.dispose(),
    };
  } catch (e) {
    await backend.dispose();
    throw e;
  }
}

interface LoadedParts {
  config: ModelConfig;
  weights: ModelWeights;
  tokenizerFiles: TokenizerFiles;
  files: string[];
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new PvaError(`${file}: missing`, "E_MODEL_FILE");
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new PvaError(`${file}: not valid JSON (${(e as Error).message})`, "E_MODEL_FILE");
  }
}

export interface LoadWeightOptions {
  quantize?: QuantizeType;
  /** Stored bytes of each chunk as it is read. */
  onBytes?: (bytes: number) => void;
  /** Called once the checkpoint's headers are read, before any weight is (the memory check). */
  beforeWeights?: (store: TensorStore) => void;
}

export async function loadHfFolder(
  dir: string,
  backend: ComputeBackend,
  opts: LoadWeightOptions = {},
): Promise<LoadedParts> {
  const config = parseHfConfig(await readJson(join(dir, "config.json")), join(dir, "config.json"));
  const tokenizerJson = await readJson(join(dir, "tokenizer.json"));
  const configFile = join(dir, "tokenizer_config.json");
  const tokenizerConfig = await stat(configFile).then(
    () => readJson(configFile),
    () => ({}),
  );
  const store = await openSafetensorsCheckpoint(dir);
  try {
    opts.beforeWeights?.(store);
    const reader = new WeightReader(store, backend, { quantize: opts.quantize, onBytes: opts.onBytes });
    const weights = await architectureNamed(config.architecture).loadHf(reader, config);
    const files = [join(dir, "config.json"), join(dir, "tokenizer.json"), ...(await weightFiles(dir, store))];
    return {
      config,
      weights,
      tokenizerFiles: { tokenizerJson, tokenizerConfig, source: join(dir, "tokenizer.json") },
      files,
    };
  } finally {
    await store.close();
  }
}

async function weightFiles(dir: string, store: TensorStore): Promise<string[]> {
  if (store.source.endsWith(".safetensors")) return [store.source];
  const index = await readJson(join(dir, "model.safetensors.index.json"));
  const shards = [...new Set(Object.values(index.weight_map as Record<string, string>))].sort();
  return shards.map((s) => join(dir, s));
}

async function loadGgufFile(
  file: string,
  backend: ComputeBackend,
  opts: LoadWeightOptions,
): Promise<LoadedParts> {
  const gguf = await openGguf(file);
  try {
    const config = await configFromGguf(gguf);
    const tokenizerFiles = tokenizerFilesFromGguf(gguf);
    opts.beforeWeights?.(gguf);
    const reader = new WeightReader(gguf, backend, { quantize: opts.quantize, onBytes: opts.onBytes });
    const weights = await architectureNamed(config.architecture).loadGguf(reader, config);
    return { config, weights, tokenizerFiles, files: [file] };
  } finally {
    await gguf.close();
  }
}
