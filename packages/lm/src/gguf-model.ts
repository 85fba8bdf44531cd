import { architectureForGguf } from "./architectures/registry.js";
import { checkedConfig, type ModelConfig } from "./config.js";
import { GgufConfigFields } from "./config-fields.js";
import { type GgufFile, ggufString } from "./formats/gguf.js";

/** A ModelConfig from a GGUF file's metadata (and tensor shapes, for what the metadata leaves out). */
export async function configFromGguf(gguf: GgufFile): Promise<ModelConfig> {
  const arch = ggufString(gguf, "general.architecture");
  const architecture = architectureForGguf(arch, gguf.source);
  const fields = new GgufConfigFields(gguf, architecture.ggufArchitecture);
  const key = (k: string) => `metadata ${fields.key(k)}`;
  return checkedConfig(await architecture.configFromGguf(fields), gguf.source, {
    hiddenSize: key("embedding_length"),
    numLayers: key("block_count"),
    numHeads: key("attention.head_count"),
    numKvHeads: key("attention.head_count_kv"),
    headDim: key("attention.key_length"),
    intermediateSize: key("feed_forward_length"),
    vocabSize: "tensor token_embd.weight",
    maxPositions: key("context_length"),
  });
}
