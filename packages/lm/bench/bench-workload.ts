import { readFile } from "node:fs/promises";
import { createRng } from "@pva/core";

/** The shapes the issue fixes for the prefill benchmark and the prefix-reuse workload. */
export const PREFILL_TOKENS = 64;
export const PREFIX_TOKENS = 16;
export const SUFFIX_TOKENS = 16;
export const PROMPTS = 256;

/** Token ids drawn from a seed, so both engines and every run see the same prompts. */
export function benchTokens(name: string, count: number, vocabSize: number): number[] {
  const rng = createRng("lm.bench").fork(name);
  return Array.from({ length: count }, () => rng.int(vocabSize));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Peak resident set size of this process so far (Linux), from the kernel's high-water mark. */
export async function peakRssBytes(): Promise<number> {
  const status = await readFile("/proc/self/status", "utf8");
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error("/proc/self/status: no VmHWM line (peak RSS needs Linux)");
  return Number(match[1]) * 1024;
}
