import { Template } from "@huggingface/jinja";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { PvaError } from "@pva/core";
import { byteOfChar } from "./byte-level.js";

export interface ChatMessage {
  role: string;
  content: string;
}

export interface Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  /** Token ids; `addSpecialTokens` (default true) adds what the tokenizer's post-processor adds, e.g. BOS. */
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  /** Token ids with the [start, end) UTF-16 character span of `text` each token covers (added specials: empty spans). */
  encodeWithOffsets(
    text: string,
    opts?: { addSpecialTokens?: boolean },
  ): { ids: number[]; offsets: [number, number][] };
  decode(ids: readonly number[], opts?: { skipSpecialTokens?: boolean }): string;
  tokenToId(token: string): number | undefined;
  /** Renders the model's chat template; throws PvaError when the model has none. */
  applyChatTemplate(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
}

/**
 * Token positions [start, end) of the tokens whose characters (encodeWithOffsets' spans) overlap
 * the character span [from, to): the tokens that carry a piece of text found by its characters,
 * such as an activity in a prompt. A BPE token that carries the space before the first word
 * (" explain") overlaps and belongs to it; added special tokens have empty spans and never do.
 */
export function tokenSpan(
  offsets: readonly (readonly [number, number])[],
  [from, to]: readonly [number, number],
): { start: number; end: number } {
  let start = -1;
  let end = -1;
  offsets.forEach(([s, e], k) => {
    if (e > s && e > from && s < to) {
      if (start < 0) start = k;
      end = k + 1;
    }
  });
  if (start < 0) throw new PvaError(`no token covers characters ${from}..${to} of the text`, "E_TOKEN_SPAN");
  return { start, end };
}

export interface TokenizerFiles {
  /** The parsed tokenizer.json. */
  tokenizerJson: Record<string, unknown>;
  /** The parsed tokenizer_config.json ({} when absent). */
  tokenizerConfig: Record<string, unknown>;
  /** Where they came from, for error messages. */
  source: string;
  bosId?: number | null;
  eosId?: number | null;
}

interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
}

function tokenContent(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null && typeof (v as { content?: unknown }).content === "string")
    return (v as { content: string }).content;
  return null;
}

/** A tokenizer from tokenizer.json (+ tokenizer_config.json) through @huggingface/tokenizers. */
export function createTokenizer(files: TokenizerFiles): Tokenizer {
  const { tokenizerJson, tokenizerConfig, source } = files;
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(tokenizerJson, { clean_up_tokenization_spaces: false, ...tokenizerConfig });
  } catch (e) {
    throw new PvaError(`${source}: tokenizer: ${(e as Error).message}`, "E_TOKENIZER");
  }
  const added = new Map<number, AddedTokenJson>();
  for (const t of (tokenizerJson.added_tokens ?? []) as AddedTokenJson[]) added.set(t.id, t);
  const idOf = (key: string): number | null => {
    const content = tokenContent(tokenizerConfig[key]);
    return content === null ? null : (hf.token_to_id(content) ?? null);
  };
  const bosId = files.bosId !== undefined ? files.bosId : idOf("bos_token");
  const eosId = files.eosId !== undefined ? files.eosId : idOf("eos_token");
  const byteLevel = JSON.stringify(tokenizerJson.decoder ?? null).includes('"ByteLevel"');
  const vocab = hf.get_vocab(true);
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  const chatTemplate = pickChatTemplate(tokenizerConfig.chat_template);
  let compiledTemplate: Template | null = null;

  const encode = (text: string, opts?: { addSpecialTokens?: boolean }) =>
    hf.encode(text, { add_special_tokens: opts?.addSpecialTokens ?? true }).ids;
  const decode = (ids: readonly number[], opts?: { skipSpecialTokens?: boolean }) =>
    hf.decode([...ids], { skip_special_tokens: opts?.skipSpecialTokens ?? false });

  /** Byte-level vocabularies spell each token's UTF-8 bytes, so offsets follow from a byte count. */
  const bytesOfToken = (id: number): number[] | null => {
    const special = added.get(id);
    if (special) return [...Buffer.from(special.content, "utf8")];
    const token = hf.id_to_token(id);
    if (token === undefined) return null;
    const bytes: number[] = [];
    for (const ch of token) {
      const b = byteOfChar(ch);
      if (b === undefined) return null;
      bytes.push(b);
    }
    return bytes;
  };

  const offsetsByBytes = (text: string, ids: number[]): [number, number][] | null => {
    const textBytes = Buffer.from(text, "utf8");
    // UTF-16 index at each byte boundary; bytes inside a character map to the character's end.
    const charAt = new Int32Array(textBytes.length + 1);
    let byte = 0;
    let unit = 0;
    for (const ch of text) {
      const n = Buffer.byteLength(ch, "utf8");
      for (let k = 1; k < n; k++) charAt[byte + k] = unit + ch.length;
      charAt[byte] = unit;
      byte += n;
      unit += ch.length;
    }
    charAt[textBytes.length] = unit;
    const offsets: [number, number][] = [];
    let cursor = 0;
    for (const id of ids) {
      const bytes = bytesOfToken(id);
      if (!bytes) return null;
      const matches = bytes.every((b, k) => textBytes[cursor + k] === b);
      if (!matches) {
        if (added.has(id)) {
          offsets.push([charAt[cursor], charAt[cursor]]);
          continue;
        }
        return null;
      }
      offsets.push([charAt[cursor], charAt[cursor + bytes.length]]);
      cursor += bytes.length;
    }
    return cursor === textBytes.length ? offsets : null;
  };

  /** Any other tokenizer: the growth of the decoded prefix (quadratic, but only a fallback). */
  const offsetsByPrefixDecode = (ids: number[]): [number, number][] => {
    const offsets: [number, number][] = [];
    let previous = 0;
    for (let i = 0; i < ids.length; i++) {
      const end = Math.max(previous, decode(ids.slice(0, i + 1)).replace(/\uFFFD+$/, "").length);
      offsets.push([previous, end]);
      previous = end;
    }
    return offsets;
  };

  return {
    vocabSize,
    bosId,
    eosId,
    encode,
    decode,
    encodeWithOffsets: (text, opts) => {
      const ids = encode(text, opts);
      const offsets = (byteLevel ? offsetsByBytes(text, ids) : null) ?? offsetsByPrefixDecode(ids);
      return { ids, offsets };
    },
    tokenToId: (token) => hf.token_to_id(token),
    applyChatTemplate: (messages, opts) => {
      if (chatTemplate === null)
        throw new PvaError(
          `${source}: the model has no chat template (tokenizer_config.json chat_template)`,
          "E_NO_CHAT_TEMPLATE",
        );
      // A template that cannot parse, or that refuses the conversation (raise_exception, e.g.
      // Gemma 2 on a system message), is one line naming the tokenizer.
      try {
        compiledTemplate ??= new Template(chatTemplate);
        return compiledTemplate.render({
          messages,
          add_generation_prompt: opts?.addGenerationPrompt ?? false,
          bos_token: tokenContent(tokenizerConfig.bos_token) ?? "",
          eos_token: tokenContent(tokenizerConfig.eos_token) ?? "",
        });
      } catch (e) {
        throw new PvaError(`${source}: chat template: ${(e as Error).message}`, "E_CHAT_TEMPLATE");
      }
    },
  };
}

function pickChatTemplate(raw: unknown): string | null {
  if (typeof raw === "string") return raw;
  if (Array.isArray(raw)) {
    const named = raw as { name?: string; template?: string }[];
    return (named.find((t) => t.name === "default") ?? named[0])?.template ?? null;
  }
  return null;
}
