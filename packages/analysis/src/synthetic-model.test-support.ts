import type { ActivationModel } from "./residual-activations.js";

/**
 * A stand-in model whose residual at every layer is a fixed function of the token alone: token id
 * k (a word's index in `vocabulary`) has activation `table[k] * (layer + 1)`. Words are whitespace
 * separated; offsets point at each word in the text. Lets tests know every activation exactly.
 */
export function syntheticModel(vocabulary: readonly string[], table: readonly Float64Array[], numLayers = 3) {
  const hiddenSize = table[0].length;
  const tokenize = (text: string) => {
    const ids: number[] = [];
    const offsets: [number, number][] = [];
    for (const match of text.matchAll(/\S+/g)) {
      const id = vocabulary.indexOf(match[0]);
      if (id < 0) throw new Error(`synthetic model: unknown word ${match[0]}`);
      ids.push(id);
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
      const captures = new Map<string, Float32Array>();
      for (const site of opts?.capture ?? []) {
        const layer = Number(/^blocks\.(\d+)\./.exec(site)?.[1]);
        const rows = new Float32Array(tokens.length * hiddenSize);
        tokens.forEach((id, p) => {
          for (let h = 0; h < hiddenSize; h++) rows[p * hiddenSize + h] = table[id][h] * (layer + 1);
        });
        captures.set(site, rows);
      }
      return { captures };
    },
  };
  return model;
}
