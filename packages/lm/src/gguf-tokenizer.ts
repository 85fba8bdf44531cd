import { PvaError } from "@pva/core";
import { type GgufFile, ggufString } from "./formats/gguf.js";
import type { TokenizerFiles } from "./tokenizer.js";
import { addedToken, byteLevelBpeModel } from "./tokenizer-json.js";

const UNKNOWN = 2;
const CONTROL = 3;
const USER_DEFINED = 4;
const NORMAL = 1;
const SPACE = "\u2581";

/**
 * tokenizer.json + tokenizer_config.json equivalents built from a GGUF vocabulary: byte-level
 * BPE ("gpt2": GPT-2, Llama 3, Qwen2, SmolLM2) with the pre-tokenizer `tokenizer.ggml.pre`
 * names, or SentencePiece BPE ("llama": Llama 2, Mistral) with byte fallback. Both are checked
 * token for token against llama.cpp's tokenizer in model.llama-cpp.test.ts.
 */
export function tokenizerFilesFromGguf(gguf: GgufFile): TokenizerFiles {
  const model = ggufString(gguf, "tokenizer.ggml.model");
  const tokens = gguf.metadata.get("tokenizer.ggml.tokens");
  if ((model !== "gpt2" && model !== "llama") || !Array.isArray(tokens))
    throw new PvaError(
      `${gguf.source}: tokenizer.ggml.model: ${JSON.stringify(model ?? null)} vocabularies are not supported ("gpt2" and "llama" are); load the Hugging Face folder instead`,
      "E_TOKENIZER",
    );
  const pieces = tokens.map(String);
  const types = gguf.metadata.get("tokenizer.ggml.token_type");
  const typeOf = (id: number) => (Array.isArray(types) ? Number(types[id]) : NORMAL);
  const addedTokens = pieces.flatMap((content, id) =>
    typeOf(id) === CONTROL || typeOf(id) === USER_DEFINED
      ? [addedToken(id, content, typeOf(id) === CONTROL)]
      : [],
  );
  const idOf = (key: string) => {
    const v = gguf.metadata.get(key);
    return typeof v === "number" && v < pieces.length ? v : null;
  };
  const bosId = idOf("tokenizer.ggml.bos_token_id");
  const eosId = idOf("tokenizer.ggml.eos_token_id");
  const addBos = gguf.metadata.get("tokenizer.ggml.add_bos_token") ?? model === "llama";
  const body = model === "gpt2" ? byteLevelBody(gguf, pieces) : sentencePieceBody(gguf, pieces, typeOf);
  return {
    source: gguf.source,
    tokenizerJson: {
      version: "1.0",
      added_tokens: addedTokens,
      ...body,
      post_processor: addBos === true && bosId !== null ? prependBos(pieces[bosId], bosId) : null,
    },
    tokenizerConfig: {
      bos_token: bosId === null ? null : pieces[bosId],
      eos_token: eosId === null ? null : pieces[eosId],
      chat_template: ggufString(gguf, "tokenizer.chat_template") ?? null,
      clean_up_tokenization_spaces: false,
    },
    bosId,
    eosId,
  };
}

function byteLevelBody(gguf: GgufFile, pieces: string[]): Record<string, unknown> {
  const pre = ggufString(gguf, "tokenizer.ggml.pre");
  const merges = gguf.metadata.get("tokenizer.ggml.merges");
  return {
    normalizer: null,
    pre_tokenizer: preTokenizerFor(pre),
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: byteLevelBpeModel(
      pieces,
      Array.isArray(merges) ? merges.map(String) : [],
      // llama.cpp's llama-bpe (Llama 3) takes a pre-token found whole in the vocabulary as is, like HF's ignore_merges.
      pre === "llama-bpe" || pre === "llama3",
    ),
  };
}

/**
 * SentencePiece BPE as transformers' LlamaTokenizerFast lays it out: spaces become U+2581 with one
 * prepended, merges derived from the piece scores (as its SentencePieceExtractor does), and
 * characters outside the vocabulary fall back to <0xXX> byte pieces.
 */
function sentencePieceBody(
  gguf: GgufFile,
  pieces: string[],
  typeOf: (id: number) => number,
): Record<string, unknown> {
  const scores = gguf.metadata.get("tokenizer.ggml.scores");
  const scoreOf = (id: number) => (Array.isArray(scores) ? Number(scores[id]) : -id);
  const vocab = new Map(pieces.map((t, id) => [t, id]));
  const merges: { left: string; right: string; score: number; leftId: number; rightId: number }[] = [];
  pieces.forEach((piece, id) => {
    if (typeOf(id) !== NORMAL && typeOf(id) !== USER_DEFINED) return;
    const chars = [...piece];
    for (let cut = 1; cut < chars.length; cut++) {
      const left = chars.slice(0, cut).join("");
      const right = chars.slice(cut).join("");
      const leftId = vocab.get(left);
      const rightId = vocab.get(right);
      if (leftId !== undefined && rightId !== undefined)
        merges.push({ left, right, score: scoreOf(id), leftId, rightId });
    }
  });
  merges.sort((a, b) => b.score - a.score || a.leftId - b.leftId || a.rightId - b.rightId);
  const addSpacePrefix = gguf.metadata.get("tokenizer.ggml.add_space_prefix") ?? true;
  const unknown = pieces.findIndex((_, id) => typeOf(id) === UNKNOWN);
  const spaces = { type: "Replace", pattern: { String: " " }, content: SPACE };
  return {
    normalizer: addSpacePrefix
      ? { type: "Sequence", normalizers: [{ type: "Prepend", prepend: SPACE }, spaces] }
      : spaces,
    pre_tokenizer: null,
    decoder: {
      type: "Sequence",
      decoders: [
        { type: "Replace", pattern: { String: SPACE }, content: " " },
        { type: "ByteFallback" },
        { type: "Fuse" },
        ...(addSpacePrefix ? [{ type: "Strip", content: " ", start: 1, stop: 0 }] : []),
      ],
    },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: unknown >= 0 ? pieces[unknown] : null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges: merges.map((m) => [m.left, m.right]),
    },
  };
}

function prependBos(bos: string, id: number): Record<string, unknown> {
  return {
    type: "TemplateProcessing",
    single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
    pair: [
      { SpecialToken: { id: bos, type_id: 0 } },
      { Sequence: { id: "A", type_id: 0 } },
      { SpecialToken: { id: bos, type_id: 1 } },
      { Sequence: { id: "B", type_id: 1 } },
    ],
    special_tokens: { [bos]: { id: bos, ids: [id], tokens: [bos] } },
  };
}

/** Llama 3's split: contractions, letters with one leading non-letter, numbers in threes, ... */
const LLAMA3_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** Qwen2's: as Llama 3's, but every digit alone. */
const QWEN2_SPLIT = LLAMA3_SPLIT.replace("\\p{N}{1,3}", "\\p{N}");

/**
 * The HF pre-tokenizer matching llama.cpp's `tokenizer.ggml.pre` presets (checked against
 * llama.cpp's own tokenizer in model.llama-cpp.test.ts); unknown names fall back to GPT-2's.
 */
export function preTokenizerFor(pre: string | undefined): Record<string, unknown> {
  const byteLevel = (useRegex: boolean) => ({
    type: "ByteLevel",
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: useRegex,
  });
  const split = (regex: string) => ({
    type: "Sequence",
    pretokenizers: [
      { type: "Split", pattern: { Regex: regex }, behavior: "Isolated", invert: false },
      byteLevel(false),
    ],
  });
  switch (pre) {
    case "llama-bpe":
    case "llama3":
      return split(LLAMA3_SPLIT);
    case "qwen2":
      return split(QWEN2_SPLIT);
    case "smollm":
      return {
        type: "Sequence",
        pretokenizers: [{ type: "Digits", individual_digits: true }, byteLevel(true)],
      };
    default:
      return byteLevel(true);
  }
}

/** The `tokenizer.ggml.pre` name of a tokenizer.json's pre-tokenizer (the inverse of preTokenizerFor). */
export function ggufPreName(preTokenizer: unknown): string {
  const text = JSON.stringify(preTokenizer ?? null);
  if (text.includes(JSON.stringify(QWEN2_SPLIT))) return "qwen2";
  if (text.includes(JSON.stringify(LLAMA3_SPLIT))) return "llama-bpe";
  if (text.includes('"Digits"') && text.includes('"individual_digits":true')) return "smollm";
  return "gpt-2";
}
