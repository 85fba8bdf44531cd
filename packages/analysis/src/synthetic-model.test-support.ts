import type { HookSite } from "@pva/lm";
import type { ActivationModel } from "./residual-activations.js";

/**
 * A stand-in model whose residual at every layer is a fixed function of the token alone: token id
 * k (a word's index in `vocabulary`) has activation `table[k] * (layer + 1)`; any other word or
 * punctuation mark is a token with zero activation. Offsets point at each token in the text, and a
 * BOS token (offsets [0, 0], activation `bos`) can lead, as real tokenizers do. Lets tests know
 * every activation exactly.
 */
export function syntheticModel(
  vocabulary: readonly string[],
  table: readonly Float64Array[],
  numLayers = 3,
  bos: Float64Array | null = null,
) {
  const hiddenSize = table[0].length;
  const tokenRows = [...table, new Float64Array(hiddenSize), bos ?? new Float64Array(hiddenSize)];
  const unknownId = table.length;
  const bosId = table.length + 1;
  const tokenize = (text: string) => {
    const ids: number[] = bos ? [bosId] : [];
    const offsets: [number, number][] = bos ? [[0, 0]] : [];
    for (const match of text.matchAll(/[\w']+|[^\w\s]/g)) {
      const id = vocabulary.indexOf(match[0]);
      ids.push(id < 0 ? unknownId : id);
      offsets.push([match.index, match.index + match[0].length]);
    }
    return { ids, offsets };
  };
  const model: ActivationModel = {
    id: "synthetic",
    hash: "synthetic-hash",
    config: { numLayers, hiddenSize },
    tokenizer: { encode: (text) => tokenize(text).ids, encodeWithOffsets: tokenize },
    forward: async (tokens, opts) => {
      const captures = new Map<HookSite, Float32Array>();
      for (const site of opts?.capture ?? []) {
        const layer = Number(/^blocks\.(\d+)\./.exec(site)?.[1]);
        const rows = new Float32Array(tokens.length * hiddenSize);
        tokens.forEach((id, p) => {
          for (let h = 0; h < hiddenSize; h++) rows[p * hiddenSize + h] = tokenRows[id][h] * (layer + 1);
        });
        captures.set(site, rows);
      }
      return { captures };
    },
  };
  return model;
}
