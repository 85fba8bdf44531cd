import { PvaError } from "@pva/core";
import { GPT2_FIXED_CONFIG } from "./architectures/gpt2.js";
import type { Architecture, ModelConfig } from "./config.js";
import { type GgufFile, ggufNumber, ggufString } from "./formats/gguf.js";

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
      ...GPT2_FIXED_CONFIG,
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
