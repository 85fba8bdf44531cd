import { mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { PvaError } from "@pva/core";
import { type RandomCheckpointSpec, writeRandomCheckpoint } from "../random-checkpoint.js";

/**
 * Random-weight models for running the whole pipeline offline. The version in the folder name
 * changes whenever a spec changes, so a stale cache is never reused.
 */
export const BUILTIN_MODELS: Record<string, RandomCheckpointSpec> = {
  // Small enough that other packages' tests can run hundreds of prompts in seconds.
  "random-tiny": {
    architecture: "llama",
    hiddenSize: 64,
    numLayers: 4,
    numHeads: 4,
    numKvHeads: 2,
    intermediateSize: 128,
    vocabSize: 1024,
    maxPositions: 4096,
    seed: "builtin:random-tiny",
    initStd: 0.1,
  },
  // SmolLM2-135M's shape, for benchmarks and full-size dry runs.
  "random-135m": {
    architecture: "llama",
    hiddenSize: 576,
    numLayers: 30,
    numHeads: 9,
    numKvHeads: 3,
    intermediateSize: 1536,
    vocabSize: 49152,
    maxPositions: 8192,
    ropeTheta: 100000,
    seed: "builtin:random-135m",
    initStd: 0.02,
  },
};
// v2: config.json marks the weights as random (pva.random_weights).
const VERSION = "v2";

/** What defines a builtin model's weights (its spec and the writer's version): its fingerprint. */
export function builtinDefinition(name: string): {
  name: string;
  version: string;
  spec: RandomCheckpointSpec;
} {
  const spec = BUILTIN_MODELS[name];
  if (!spec) throw unknownBuiltin(name);
  return { name, version: VERSION, spec };
}

function unknownBuiltin(name: string): PvaError {
  return new PvaError(
    `builtin:${name}: unknown builtin model (known: ${Object.keys(BUILTIN_MODELS)
      .map((n) => `builtin:${n}`)
      .join(", ")})`,
    "E_MODEL_SOURCE",
  );
}

/** The folder of a builtin model, written into the cache on first use. */
export async function resolveBuiltin(
  name: string,
  cacheDir: string,
  /** Reports the weights being drawn when the model is written (first use only). */
  onProgress?: (p: { file: string; loaded: number; total: number }) => void,
): Promise<string> {
  const spec = BUILTIN_MODELS[name];
  if (!spec) throw unknownBuiltin(name);
  const dir = join(cacheDir, "builtin", `${name}-${VERSION}`);
  if (await isComplete(dir)) return dir;
  const parent = join(cacheDir, "builtin");
  await mkdir(parent, { recursive: true });
  // Written beside the target and renamed, so a crash or a concurrent writer never leaves half a model.
  const tmp = await mkdtemp(join(parent, `.${name}-`));
  try {
    await writeRandomCheckpoint(tmp, spec, onProgress);
    await rename(tmp, dir).catch(async (e: NodeJS.ErrnoException) => {
      if (!(await isComplete(dir))) throw e;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return dir;
}

async function isComplete(dir: string): Promise<boolean> {
  return stat(join(dir, "tokenizer_config.json")).then(
    () => true,
    () => false,
  );
}
