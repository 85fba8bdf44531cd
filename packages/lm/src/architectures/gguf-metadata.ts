import type { ModelConfig } from "../config.js";
import type { GgufMetadataEntry } from "../formats/gguf-writer.js";

/** Builders for one architecture's `{arch}.*` GGUF keys. */
export function ggufKeys(arch: string) {
  return {
    u32: (key: string, value: number): GgufMetadataEntry => ({ key: `${arch}.${key}`, type: "u32", value }),
    f32: (key: string, value: number): GgufMetadataEntry => ({ key: `${arch}.${key}`, type: "f32", value }),
  };
}

/** The shape keys every llama.cpp architecture reads. */
export function ggufShapeMetadata(arch: string, c: ModelConfig): GgufMetadataEntry[] {
  const { u32 } = ggufKeys(arch);
  return [
    u32("context_length", c.maxPositions),
    u32("embedding_length", c.hiddenSize),
    u32("block_count", c.numLayers),
    u32("feed_forward_length", c.intermediateSize),
    u32("attention.head_count", c.numHeads),
  ];
}
