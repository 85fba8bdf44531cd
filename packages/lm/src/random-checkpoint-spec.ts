import type { Architecture } from "./config.js";
import type { SafetensorsDtype } from "./formats/safetensors.js";
import type { Llama3RopeScaling } from "./rope.js";

/** The shape of a random-weight model and how to draw it. */
export interface RandomCheckpointSpec {
  architecture: Architecture;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Defaults to numHeads (no GQA); ignored for gpt2. */
  numKvHeads?: number;
  /** Defaults to hiddenSize / numHeads; ignored for gpt2. */
  headDim?: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  seed: number | string;
  /** Standard deviation of the weights (default 0.02, transformers' init). */
  initStd?: number;
  /**
   * Standard deviation of the token embedding (default initStd). A larger one lets the embedding
   * dominate the residual stream, so the rounding inside the layers moves the hidden state the
   * head reads by less relative to its size (see quantized.llama-cpp.test.ts). With a tied head
   * it also raises the current token's own logit.
   */
  embeddingInitStd?: number;
  ropeTheta?: number;
  ropeScaling?: Omit<Llama3RopeScaling, "type"> | null;
  tieWordEmbeddings?: boolean;
  /** Window of the sliding layers (Mistral, Gemma, Phi-3); null or absent: none (Gemma: 4096). */
  slidingWindow?: number | null;
  /** Which layers slide, as config.json's `layer_types`; default: the architecture's own pattern. */
  layerTypes?: ("full_attention" | "sliding_attention")[];
  /** Gemma: `query_pre_attn_scalar` (default head_dim). */
  queryPreAttnScalar?: number;
  /** Gemma 2: attention and final logit soft-caps (default 50 and 30, as released; null for none). */
  attnLogitSoftcapping?: number | null;
  finalLogitSoftcapping?: number | null;
  /** Gemma 3: the rope base of sliding layers (default 10000) and linear scaling of global ones. */
  ropeLocalTheta?: number;
  ropeLinearFactor?: number;
  /** Phi-3: LongRoPE factors (head_dim / 2 each) and the pretraining context. */
  longRope?: { shortFactor: number[]; longFactor: number[]; originalMaxPositions: number };
  /** Stored dtype (default F32). */
  dtype?: SafetensorsDtype;
}
