import { throwIfInterrupted } from "@pva/core";
import type { HookSite } from "@pva/lm";

/**
 * What reading activations needs from a model: the slice of `@pva/lm`'s Model that analysis uses,
 * stated structurally so a synthetic model with planted activations can stand in for it in tests.
 */
export interface ActivationModel {
  id: string;
  hash: string;
  config: { numLayers: number; hiddenSize: number };
  tokenizer: {
    encode(text: string): number[];
    encodeWithOffsets(text: string): { ids: number[]; offsets: [number, number][] };
  };
  forward(
    tokens: number[],
    opts?: { capture?: HookSite[]; logits?: "last" | "all" | "none" },
  ): Promise<{ captures: Map<HookSite, Float32Array> }>;
}

/**
 * The residual stream "at layer L" is the output of block L (`blocks.L.hook_resid_post`): vectors are
 * read there, probes read there, and steering adds there, so all three speak of the same space.
 */
export function residSite(layer: number): HookSite {
  return `blocks.${layer}.hook_resid_post`;
}

/** `round(2/3 * depth)`, the study's default, kept inside the model. */
export function defaultLayer(numLayers: number): number {
  return Math.min(numLayers - 1, Math.round((2 / 3) * numLayers));
}

export interface TextActivations {
  /** Per layer, one mean residual vector per text (in the order of the texts). */
  means: Map<number, Float64Array[]>;
  /** Per layer (and norm-only layer), the mean L2 norm of the residual over all averaged positions of all texts. */
  meanNorm: Map<number, number>;
}

/**
 * Mean residual activation of each text at each layer, over positions from `tokenOffset` on.
 * A text shorter than the offset is averaged over its last token only, so it still counts once
 * instead of silently vanishing from its emotion's mean. `normLayers` are layers where only the
 * mean norm is measured (in the same forward passes, over the same positions), not the means.
 * `signal` is checked before each text: once it fires, the text in flight finishes and the call
 * throws InterruptedError naming `stage`.
 */
export async function meanResidualActivations(
  model: ActivationModel,
  texts: readonly string[],
  opts: {
    layers: readonly number[];
    tokenOffset: number;
    normLayers?: readonly number[];
    onText?: (done: number, total: number) => void;
    signal?: AbortSignal;
    /** What an interruption names as cut short (default "vectors"). */
    stage?: string;
  },
): Promise<TextActivations> {
  const hidden = model.config.hiddenSize;
  const normOnly = (opts.normLayers ?? []).filter((layer) => !opts.layers.includes(layer));
  const all = [...opts.layers, ...normOnly];
  const sites = all.map(residSite);
  const means = new Map(opts.layers.map((layer) => [layer, [] as Float64Array[]]));
  const normSums = new Map(all.map((layer) => [layer, 0]));
  let positionsTotal = 0;
  for (const [t, text] of texts.entries()) {
    throwIfInterrupted(opts.signal, opts.stage ?? "vectors");
    const tokens = model.tokenizer.encode(text);
    const { captures } = await model.forward(tokens, { capture: sites, logits: "none" });
    const start = Math.min(opts.tokenOffset, tokens.length - 1);
    const count = tokens.length - start;
    positionsTotal += count;
    all.forEach((layer, k) => {
      const rows = captures.get(sites[k]);
      if (!rows) throw new Error(`model returned no capture for ${sites[k]}`);
      const keepMean = k < opts.layers.length;
      const mean = new Float64Array(keepMean ? hidden : 0);
      let normSum = 0;
      for (let p = start; p < tokens.length; p++) {
        let squares = 0;
        for (let h = 0; h < hidden; h++) {
          const v = rows[p * hidden + h];
          if (keepMean) mean[h] += v;
          squares += v * v;
        }
        normSum += Math.sqrt(squares);
      }
      if (keepMean) {
        for (let h = 0; h < hidden; h++) mean[h] /= count;
        means.get(layer)!.push(mean);
      }
      normSums.set(layer, normSums.get(layer)! + normSum);
    });
    opts.onText?.(t + 1, texts.length);
  }
  const meanNorm = new Map(all.map((layer) => [layer, normSums.get(layer)! / Math.max(1, positionsTotal)]));
  return { means, meanNorm };
}
