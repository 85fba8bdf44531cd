import { stat } from "node:fs/promises";
import type { ModelWeights } from "./weights.js";

/** What a loaded model takes: its files on disk, its parameters, and its weights in memory. */
export interface ModelFootprint {
  /** Bytes of the files that define the model (config, tokenizer, weights). */
  diskBytes: number;
  /** Weight values (a tied embedding and output matrix counted once). */
  parameters: number;
  /** Bytes the weights take in memory as loaded (quantized matrices at their stored size). */
  weightBytes: number;
}

function isMatrix(value: unknown): value is { rows: number; cols: number; data: Uint8Array } {
  return (
    typeof value === "object" &&
    value !== null &&
    "rows" in value &&
    "cols" in value &&
    "data" in value &&
    (value as { data: unknown }).data instanceof Uint8Array
  );
}

/** Counts every weight of the model once, whatever its architecture's layer fields. */
export function weightFootprint(weights: ModelWeights): { parameters: number; weightBytes: number } {
  const seen = new Set<object>();
  let parameters = 0;
  let weightBytes = 0;
  const visit = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (value instanceof Float32Array) {
      parameters += value.length;
      weightBytes += value.byteLength;
    } else if (isMatrix(value)) {
      parameters += value.rows * value.cols;
      weightBytes += value.data.byteLength;
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (!ArrayBuffer.isView(value)) Object.values(value).forEach(visit);
  };
  visit(weights);
  return { parameters, weightBytes };
}

export async function modelFootprint(
  weights: ModelWeights,
  files: readonly string[],
): Promise<ModelFootprint> {
  const sizes = await Promise.all([...new Set(files)].map(async (file) => (await stat(file)).size));
  return { diskBytes: sizes.reduce((sum, size) => sum + size, 0), ...weightFootprint(weights) };
}
