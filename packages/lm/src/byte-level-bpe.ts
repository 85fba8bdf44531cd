import { byteLevelAlphabet } from "./byte-level.js";
import { addedToken, byteLevelBpeModel } from "./tokenizer-json.js";

const SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;

export interface ByteLevelBpe {
  /** Token strings by id (specials, bytes, merges). */
  tokens: string[];
  /** Merges in rank order, each "left right". */
  merges: string[];
}

/**
 * A synthetic byte-level BPE vocabulary of any size >= 259: three ChatML specials, the 256 byte
 * tokens, then merges that build common letter sequences (space+letter, letter pairs, then longer),
 * so English text encodes into a few characters per token like a real vocabulary.
 */
export function buildByteLevelBpe(vocabSize: number): ByteLevelBpe {
  const base = SPECIAL_TOKENS.length + 256;
  if (vocabSize < base)
    throw new RangeError(`buildByteLevelBpe: vocabSize must be at least ${base}, got ${vocabSize}`);
  const alphabet = byteLevelAlphabet();
  const tokens: string[] = [...SPECIAL_TOKENS, ...alphabet];
  const merges: string[] = [];
  const known = new Set(tokens);
  const lower = [..."etaoinshrdlcumwfgypbvkjxqz"];
  const upper = [..."ETAOINSHRDLCUMWFGYPBVKJXQZ"];
  const space = alphabet[32];
  const add = (left: string, right: string): boolean => {
    if (tokens.length >= vocabSize) return false;
    const merged = left + right;
    if (known.has(merged)) return true;
    known.add(merged);
    tokens.push(merged);
    merges.push(`${left} ${right}`);
    return true;
  };
  let frontier = [space, ...lower, ...upper].flatMap((a) => lower.map((b) => a + b));
  for (const t of frontier) add(t[0], t.slice(1));
  // Longer pieces: extend each piece of the previous round by one lowercase letter.
  while (tokens.length < vocabSize) {
    const next: string[] = [];
    for (const t of frontier)
      for (const b of lower) {
        if (!add(t, b)) return { tokens, merges };
        next.push(t + b);
      }
    frontier = next;
  }
  return { tokens, merges };
}

/** The tokenizer.json of a vocabulary, in the layout SmolLM2 / GPT-2 checkpoints use. */
export function byteLevelTokenizerJson(bpe: ByteLevelBpe): Record<string, unknown> {
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => addedToken(id, content, true)),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: byteLevelBpeModel(bpe.tokens, bpe.merges, false),
  };
}

/** ChatML, as SmolLM2-Instruct uses. */
const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export function byteLevelTokenizerConfig(): Record<string, unknown> {
  return {
    bos_token: SPECIAL_TOKENS[0],
    eos_token: SPECIAL_TOKENS[2],
    unk_token: null,
    clean_up_tokenization_spaces: false,
    model_max_length: 8192,
    chat_template: CHATML_TEMPLATE,
    tokenizer_class: "GPT2Tokenizer",
  };
}
