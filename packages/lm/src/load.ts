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
import { type ModelFootprint, modelFootprint } from "./model-footprint.js";
import { hashModelFiles } from "./model-hash.js";
import { resolveBuiltin } from "./sources/builtin.js";
import { defaultCacheDir } from "./sources/cache-dir.js";
import { type DownloadProgress, resolveHub } from "./sources/hub.js";
import { createTokenizer, type Tokenizer, type TokenizerFiles } from "./tokenizer.js";
import { type ModelWeights, WeightReader } from "./weights.js";

export interface LoadModelOptions {
  /** Where hub downloads and builtin models are cached (default: PVA_CACHE_DIR or ~/.cache/pva/models). */
  cacheDir?: string;
  /** Bytes of each hub file downloaded, or of a builtin model's weights drawn when it is first written. */
  onProgress?: (p: DownloadProgress) => void;
  /** Threads for the matmul kernels (default: all cores). */
  threads?: number;
  /** Hub base URL (default: HF_ENDPOINT or https://huggingface.co). */
  hubUrl?: string;
  /** Kernel backend (default: the fastest available). */
  backend?: "wasm" | "js";
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
  /** Its files on disk, its parameters and its weights' bytes in memory (`pva model info`). */
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

/**
 * Loads a model from a local HF folder, a .gguf file, `hf:org/name[@revision]`, or
 * `builtin:random-tiny` / `builtin:random-135m`.
 */
export async function loadModel(source: string, opts: LoadModelOptions = {}): Promise<Model> {
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
  const backend = await createComputeBackend({ threads: opts.threads, kind: opts.backend });
  try {
    const loaded = isFile ? await loadGgufFile(path, backend) : await loadHfFolder(path, backend);
    const transformer = new Transformer(loaded.config, loaded.weights, backend);
    const tokenizer = createTokenizer(loaded.tokenizerFiles);
    const footprint = await modelFootprint(loaded.weights, loaded.files);
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

export async function loadHfFolder(dir: string, backend: ComputeBackend): Promise<LoadedParts> {
  const config = parseHfConfig(await readJson(join(dir, "config.json")), join(dir, "config.json"));
  const tokenizerJson = await readJson(join(dir, "tokenizer.json"));
  const configFile = join(dir, "tokenizer_config.json");
  const tokenizerConfig = await stat(configFile).then(
    () => readJson(configFile),
    () => ({}),
  );
  const store = await openSafetensorsCheckpoint(dir);
  try {
    const reader = new WeightReader(store, backend);
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

async function loadGgufFile(file: string, backend: ComputeBackend): Promise<LoadedParts> {
  if (!basename(file).toLowerCase().endsWith(".gguf"))
    throw new PvaError(`${file}: expected a .gguf file or a model folder`, "E_MODEL_SOURCE");
  const gguf = await openGguf(file);
  try {
    const config = await configFromGguf(gguf);
    const tokenizerFiles = tokenizerFilesFromGguf(gguf);
    const reader = new WeightReader(gguf, backend);
    const weights = await architectureNamed(config.architecture).loadGguf(reader, config);
    return { config, weights, tokenizerFiles, files: [file] };
  } finally {
    await gguf.close();
  }
}
