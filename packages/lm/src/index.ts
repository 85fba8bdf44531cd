export type { KvCache } from "./cache.js";
export { chatUserPrompt } from "./chat-prompt.js";
export type { Architecture, ModelConfig } from "./config.js";
export { type GgufFile, type GgufValue, openGguf } from "./formats/gguf.js";
export {
  type GgufMetadataEntry,
  type GgufTensorToWrite,
  type GgufTensorType,
  writeGguf,
} from "./formats/gguf-writer.js";
export {
  readSafetensors,
  type TensorToWrite,
  writeSafetensors,
} from "./formats/safetensors.js";
export type { TensorRows } from "./formats/tensor-rows.js";
export type { GenerateOptions } from "./generate.js";
export { convertToGguf } from "./gguf-export.js";
export type { GgufFileType } from "./gguf-file-type.js";
export { parseHfConfig } from "./hf-config.js";
export { type HookSite, parseHookSite } from "./hook-site.js";
export { type ComputeBackend, createWasmBackend, type WasmBackend } from "./kernels/index.js";
export type { WeightMatrix, WeightType } from "./kernels/weight-matrix.js";
export {
  inspectModel,
  type LoadModelOptions,
  loadModel,
  type Model,
  type ModelInspection,
  type ModelSourceInput,
} from "./load.js";
export type { ContinuationOptions, ForwardOptions, ForwardResult } from "./model.js";
export { type FingerprintOptions, modelFingerprint } from "./model-fingerprint.js";
export type { ModelFootprint } from "./model-footprint.js";
export { type RandomCheckpointSpec, writeRandomCheckpoint } from "./random-checkpoint.js";
export {
  LLAMA_3_1_8B_SHAPE,
  type RandomGgufOptions,
  randomGgufInCache,
  writeRandomGguf,
} from "./random-gguf.js";
export type { RopeScaling, RopeSpec } from "./rope.js";
export { BUILTIN_MODELS } from "./sources/builtin.js";
export type { DownloadProgress } from "./sources/hub.js";
export type { SteeringVector, SteerSpec, TournamentSteering } from "./steering-vector.js";
export { type ChatMessage, type Tokenizer, tokenSpan } from "./tokenizer.js";
export type { QuantizeType } from "./weights.js";
