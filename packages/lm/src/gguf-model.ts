import { PvaError } from "@pva/core";
import type { Architecture, ModelConfig } from "./config.js";
import { type GgufFile, ggufNumber, ggufString } from "./formats/gguf.js";
import type { TokenizerFiles } from "./tokenizer.js";

/** A ModelConfig from a GGUF file's metadata (and tensor shapes, for what the metadata leaves out). */
export async function configFromGguf(gguf: GgufFile): Promise<ModelConfig> {
  const arch = ggufString(gguf, "general.architecture");
  if (arch !== "llama" && arch !== "qwen2" && arch !== "gpt2")
    throw new PvaError(
      `${gguf.source}: general.architecture: unsupported ${JSON.stringify(arch ?? null)} (llama, qwen2, gpt2 are)`,
      "E_MODEL_FILE",
    );
  const architecture: Architecture = arch;
  const n = (key: string, fallback?: number) => ggufNumber(gguf, `${arch}.${key}`, fallback);
  const embedding = gguf.info("token_embd.weight");
  if (!embedding) throw new PvaError(`${gguf.source}: tensor token_embd.weight: missing`, "E_MODEL_FILE");
  const hiddenSize = n("embedding_length");
  const numHeads = n("attention.head_count");
  const bos = gguf.metadata.get("tokenizer.ggml.bos_token_id");
  const eos = gguf.metadata.get("tokenizer.ggml.eos_token_id");
  const common = {
    architecture,
    hiddenSize,
    numLayers: n("block_count"),
    numHeads,
    intermediateSize: n("feed_forward_length"),
    vocabSize: embedding.shape[0],
    maxPositions: n("context_length"),
    tieWordEmbeddings: gguf.info("output.weight") === undefined,
    bosTokenId: typeof bos === "number" ? bos : null,
    eosTokenId: typeof eos === "number" ? eos : null,
  };
  if (architecture === "gpt2")
    return {
      ...common,
      numKvHeads: numHeads,
      headDim: hiddenSize / numHeads,
      normEps: n("attention.layer_norm_epsilon", 1e-5),
      norm: "layer",
      mlp: "gelu",
      positions: "learned",
      ropeTheta: 0,
      ropeScaling: null,
      qkvBias: true,
      outputBias: true,
    };
  const headDim = n("attention.key_length", n("rope.dimension_count", hiddenSize / numHeads));
  let ropeScaling: ModelConfig["ropeScaling"] = null;
  const freqs = gguf.info("rope_freqs.weight");
  if (freqs) {
    const factors = new Float32Array(headDim / 2);
    await gguf.readInto("rope_freqs.weight", factors);
    ropeScaling = { type: "freq-factors", factors: [...factors] };
  }
  return {
    ...common,
    numKvHeads: n("attention.head_count_kv", numHeads),
    headDim,
    normEps: n("attention.layer_norm_rms_epsilon", 1e-5),
    norm: "rms",
    mlp: "swiglu",
    positions: "rope",
    ropeTheta: n("rope.freq_base", 10000),
    ropeScaling,
    qkvBias: gguf.info("blk.0.attn_q.bias") !== undefined,
    outputBias: false,
  };
}

const CONTROL = 3;
const USER_DEFINED = 4;

/**
 * tokenizer.json + tokenizer_config.json equivalents built from a GGUF vocabulary. Byte-level
 * BPE ("gpt2": GPT-2, Llama 3, Qwen2, SmolLM2) is rebuilt, with the pre-tokenizer that
 * `tokenizer.ggml.pre` names; SentencePiece vocabularies are not supported.
 */
export function tokenizerFilesFromGguf(gguf: GgufFile): TokenizerFiles {
  const model = ggufString(gguf, "tokenizer.ggml.model");
  const tokens = gguf.metadata.get("tokenizer.ggml.tokens");
  if (model !== "gpt2" || !Array.isArray(tokens))
    throw new PvaError(
      `${gguf.source}: tokenizer.ggml.model: ${JSON.stringify(model ?? null)} vocabularies are not supported (byte-level "gpt2" is); load the Hugging Face folder instead`,
      "E_TOKENIZER",
    );
  const types = gguf.metadata.get("tokenizer.ggml.token_type");
  const merges = gguf.metadata.get("tokenizer.ggml.merges");
  const typeOf = (id: number) => (Array.isArray(types) ? Number(types[id]) : 1);
  const vocab: Record<string, number> = {};
  const addedTokens: Record<string, unknown>[] = [];
  tokens.forEach((t, id) => {
    const token = String(t);
    vocab[token] = id;
    if (typeOf(id) === CONTROL || typeOf(id) === USER_DEFINED)
      addedTokens.push({
        id,
        content: token,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: typeOf(id) === CONTROL,
      });
  });
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  const pre = ggufString(gguf, "tokenizer.ggml.pre");
  const bosId = gguf.metadata.get("tokenizer.ggml.bos_token_id");
  const eosId = gguf.metadata.get("tokenizer.ggml.eos_token_id");
  const tokenAt = (id: unknown) => (typeof id === "number" && id < tokens.length ? String(tokens[id]) : null);
  return {
    source: gguf.source,
    tokenizerJson: {
      version: "1.0",
      added_tokens: addedTokens,
      normalizer: null,
      pre_tokenizer: preTokenizerFor(pre),
      post_processor: null,
      decoder: byteLevel,
      model: {
        type: "BPE",
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: "",
        end_of_word_suffix: "",
        fuse_unk: false,
        byte_fallback: false,
        // llama.cpp's llama-bpe (Llama 3) takes a pre-token found whole in the vocabulary as is, like HF's ignore_merges.
        ignore_merges: pre === "llama-bpe" || pre === "llama3",
        vocab,
        merges: Array.isArray(merges) ? merges.map(String) : [],
      },
    },
    tokenizerConfig: {
      bos_token: tokenAt(bosId),
      eos_token: tokenAt(eosId),
      chat_template: ggufString(gguf, "tokenizer.chat_template") ?? null,
      clean_up_tokenization_spaces: false,
    },
    bosId: typeof bosId === "number" ? bosId : null,
    eosId: typeof eosId === "number" ? eosId : null,
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
