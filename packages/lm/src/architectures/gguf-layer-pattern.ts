import { PvaError } from "@pva/core";
import type { LayerAttention } from "../config.js";

/**
 * llama.cpp stores which layers slide as a period P (`{arch}.attention.sliding_window_pattern`):
 * layer l slides when l % P < P - 1 (P = 0: every layer). These convert between that and a
 * per-layer list.
 */

export function layersOfPeriod(period: number, numLayers: number): LayerAttention[] {
  return Array.from({ length: numLayers }, (_, l) =>
    period === 0 || l % period < period - 1 ? "sliding" : "full",
  );
}

/** The period that gives exactly these layers; a list no period describes cannot go into a GGUF file. */
export function periodOfLayers(layers: readonly LayerAttention[], source: string): number {
  const same = (period: number) =>
    layersOfPeriod(period, layers.length).every((kind, l) => kind === layers[l]);
  for (let period = 0; period <= layers.length + 1; period++) if (same(period)) return period;
  throw new PvaError(
    `${source}: layer_types ${JSON.stringify(layers)} repeat no period, which is all llama.cpp's sliding_window_pattern can say`,
    "E_GGUF_EXPORT",
  );
}
