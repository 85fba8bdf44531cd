/**
 * Parts of a Hugging Face tokenizer.json for the vocabularies built here rather than downloaded:
 * the builtin random models' and those rebuilt from GGUF metadata. Field order follows the files
 * transformers writes, and a builtin model's tokenizer.json is hashed into its model hash, so the
 * order must not change.
 */

/** An `added_tokens` entry: matched whole before the model runs, never split or normalised. */
export function addedToken(id: number, content: string, special: boolean): Record<string, unknown> {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special };
}

/**
 * A byte-level BPE `model` (GPT-2's scheme): tokens are byte-level strings, so nothing is unknown
 * and no byte fallback is needed. `ignoreMerges` takes a pre-token found whole in the vocabulary
 * as is.
 */
export function byteLevelBpeModel(
  tokens: readonly string[],
  merges: string[],
  ignoreMerges: boolean,
): Record<string, unknown> {
  return {
    type: "BPE",
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: "",
    end_of_word_suffix: "",
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: ignoreMerges,
    vocab: Object.fromEntries(tokens.map((t, id) => [t, id])),
    merges,
  };
}
