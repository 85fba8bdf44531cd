import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRng, type Rng } from "@pva/core";
import { architectureNamed } from "./architectures/registry.js";
import { buildByteLevelBpe, byteLevelTokenizerConfig, byteLevelTokenizerJson } from "./byte-level-bpe.js";
import { type TensorToWrite, writeSafetensors } from "./formats/safetensors.js";
import { parseHfConfig } from "./hf-config.js";
import type { RandomCheckpointSpec } from "./random-checkpoint-spec.js";

// The spec lives in its own module: architectures describe their random configs by it, and
// importing it from here would close a cycle (this writer -> registry -> architectures -> here).
export type { RandomCheckpointSpec } from "./random-checkpoint-spec.js";

/**
 * Writes a Hugging Face model folder (config.json, model.safetensors, tokenizer.json,
 * tokenizer_config.json) with weights drawn from `spec.seed`; each tensor draws from its own
 * `fork(name)`, so adding a tensor never changes the others. Tensors are drawn as they are
 * written, one at a time, so memory stays at one tensor whatever the model's size. The config
 * goes through the same parser as any checkpoint's, and the tensors are the ones its
 * architecture's loader reads.
 */
export async function writeRandomCheckpoint(
  dir: string,
  spec: RandomCheckpointSpec,
  /** Called as each tensor is drawn: bytes of model.safetensors' tensors drawn so far, of all. */
  onProgress?: (p: { file: string; loaded: number; total: number }) => void,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const architecture = architectureNamed(spec.architecture);
  // Marked as random (config-fields.ts), so whatever loads or converts it can say so.
  const configJson = { ...architecture.randomConfigJson(spec), pva: { random_weights: true } };
  const config = parseHfConfig(configJson, join(dir, "config.json"));
  const rng = createRng(spec.seed).fork("random-checkpoint");
  const std = spec.initStd ?? 0.02;
  const embeddingStd = spec.embeddingInitStd ?? std;
  const dtype = spec.dtype ?? "F32";
  const tensors = new Map<string, TensorToWrite>();
  const bytesPerElement = dtype === "F32" ? 4 : 2;
  const specs = architecture.hfTensors(config);
  const total = specs.reduce((sum, { shape }) => sum + elementCount(shape) * bytesPerElement, 0);
  let loaded = 0;
  const drawn = (values: Float32Array) => {
    loaded += values.length * bytesPerElement;
    onProgress?.({ file: "model.safetensors", loaded, total });
    return values;
  };
  for (const { name, shape, kind, center } of specs) {
    const data =
      kind === "gain"
        ? () => drawn(fillNormal(rng.fork(name), shape, 0.1).map((x) => x + (center ?? 1)))
        : () => drawn(fillNormal(rng.fork(name), shape, kind === "embedding" ? embeddingStd : std));
    tensors.set(name, { shape, data, dtype });
  }
  const bpe = buildByteLevelBpe(spec.vocabSize);
  await writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
  await writeFile(join(dir, "config.json"), `${JSON.stringify(configJson, null, 2)}\n`);
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(byteLevelTokenizerJson(bpe)));
  await writeFile(
    join(dir, "tokenizer_config.json"),
    `${JSON.stringify(byteLevelTokenizerConfig(), null, 2)}\n`,
  );
}

function elementCount(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function fillNormal(rng: Rng, shape: number[], std: number): Float32Array {
  const n = elementCount(shape);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * rng.normal();
  return out;
}
