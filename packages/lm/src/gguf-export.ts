import { architectureNamed } from "./architectures/registry.js";
import type { ModelConfig } from "./config.js";
import { RANDOM_WEIGHTS_GGUF_KEY } from "./config-fields.js";
import { type GgufMetadataEntry, writeGguf } from "./formats/gguf-writer.js";
import { chooseTensorTypes, type GgufFileType, LLAMA_FTYPE, parseGgufFileType } from "./gguf-file-type.js";
import { ggufPreName } from "./gguf-tokenizer.js";
import { createComputeBackend } from "./kernels/index.js";
import { loadHfFolder } from "./load.js";
import type { ModelWeights } from "./weights.js";

export interface GgufExport {
  config: ModelConfig;
  weights: ModelWeights;
  /** The model's tokenizer.json (byte-level BPE): its vocabulary and merges go into the GGUF. */
  tokenizerJson: Record<string, unknown>;
  chatTemplate?: string | null;
  /** Storage type of the matrices (one type, or a mix such as q4_K_M); norms, biases and positions stay F32. */
  type: GgufFileType;
  /** tokenizer.ggml.* entries to write instead of those derived from tokenizerJson (e.g. a SentencePiece vocabulary). */
  tokenizerMetadata?: GgufMetadataEntry[];
}

/** Writes a model as GGUF the way llama.cpp's convert_hf_to_gguf.py lays it out. */
export async function writeModelGguf(file: string, m: GgufExport): Promise<void> {
  const c = m.config;
  const tensors = architectureNamed(c.architecture).ggufTensors(m.weights, c);
  await writeGguf(file, modelGgufMetadata(m), chooseTensorTypes(m.type, tensors, c.numLayers));
}

/** A model GGUF's metadata: architecture, file type, the architecture's keys, the random mark, tokenizer. */
export function modelGgufMetadata(m: Omit<GgufExport, "weights">): GgufMetadataEntry[] {
  const c = m.config;
  const architecture = architectureNamed(c.architecture);
  const metadata: GgufMetadataEntry[] = [
    { key: "general.architecture", type: "string", value: architecture.ggufArchitecture },
    { key: "general.name", type: "string", value: "pva-export" },
    { key: "general.alignment", type: "u32", value: 32 },
    { key: "general.file_type", type: "u32", value: LLAMA_FTYPE[m.type] },
    ...architecture.ggufMetadata(c),
    ...(c.randomWeights ? [{ key: RANDOM_WEIGHTS_GGUF_KEY, type: "bool" as const, value: true }] : []),
    ...(m.tokenizerMetadata ?? tokenizerMetadata(m.tokenizerJson, c)),
  ];
  if (m.chatTemplate)
    metadata.push({ key: "tokenizer.chat_template", type: "string", value: m.chatTemplate });
  if (m.type !== "f32" && m.type !== "f16" && m.type !== "bf16")
    metadata.push({ key: "general.quantization_version", type: "u32", value: 2 });
  return metadata;
}

function tokenizerMetadata(tokenizerJson: Record<string, unknown>, c: ModelConfig): GgufMetadataEntry[] {
  const model = tokenizerJson.model as {
    vocab: Record<string, number>;
    merges: (string | [string, string])[];
  };
  const added = (tokenizerJson.added_tokens ?? []) as { id: number; content: string; special?: boolean }[];
  const tokens = new Array<string>(c.vocabSize);
  for (const [token, id] of Object.entries(model.vocab)) if (id < c.vocabSize) tokens[id] = token;
  for (const t of added) if (t.id < c.vocabSize) tokens[t.id] = t.content;
  // llama.cpp needs one unique string per embedding row; pad unused rows.
  for (let id = 0; id < c.vocabSize; id++) tokens[id] ??= `[PAD${id}]`;
  const specials = new Set(added.filter((t) => t.special !== false).map((t) => t.id));
  const entries: GgufMetadataEntry[] = [
    { key: "tokenizer.ggml.model", type: "string", value: "gpt2" },
    { key: "tokenizer.ggml.pre", type: "string", value: ggufPreName(tokenizerJson.pre_tokenizer) },
    { key: "tokenizer.ggml.tokens", type: "array", itemType: "string", value: tokens },
    {
      key: "tokenizer.ggml.token_type",
      type: "array",
      itemType: "i32",
      value: tokens.map((_, id) => (specials.has(id) ? 3 : 1)),
    },
    {
      key: "tokenizer.ggml.merges",
      type: "array",
      itemType: "string",
      value: model.merges.map((m) => (Array.isArray(m) ? m.join(" ") : m)),
    },
  ];
  // Token ids are passed in directly; never let llama.cpp add BOS/EOS on its own.
  entries.push(
    { key: "tokenizer.ggml.add_bos_token", type: "bool", value: false },
    { key: "tokenizer.ggml.add_eos_token", type: "bool", value: false },
  );
  if (c.bosTokenId !== null)
    entries.push({ key: "tokenizer.ggml.bos_token_id", type: "u32", value: c.bosTokenId });
  if (c.eosTokenId !== null)
    entries.push({ key: "tokenizer.ggml.eos_token_id", type: "u32", value: c.eosTokenId });
  return entries;
}

/**
 * Converts an HF model folder to a GGUF file, as llama.cpp's converter followed by llama-quantize
 * would (`type` is a llama.cpp type name in any case: "q8_0", "Q4_K_M", "F32"), e.g. to run it in
 * llama.cpp. The weights are held once, in their stored type; each tensor is encoded a chunk of rows at a time.
 */
export async function convertToGguf(
  dir: string,
  file: string,
  opts: { type: GgufFileType | Uppercase<GgufFileType>; tokenizerMetadata?: GgufMetadataEntry[] },
): Promise<void> {
  const type = parseGgufFileType(opts.type);
  if (!type) throw new RangeError(`convertToGguf: unknown type ${opts.type}`);
  const backend = await createComputeBackend({ kind: "js" });
  try {
    const { config, weights, tokenizerFiles } = await loadHfFolder(dir, backend);
    const template = tokenizerFiles.tokenizerConfig.chat_template;
    await writeModelGguf(file, {
      config,
      weights,
      tokenizerJson: tokenizerFiles.tokenizerJson,
      chatTemplate: typeof template === "string" ? template : null,
      type,
      tokenizerMetadata: opts.tokenizerMetadata,
    });
  } finally {
    await backend.dispose();
  }
}
