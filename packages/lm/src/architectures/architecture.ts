import type { Architecture, ConfigFieldNames, ModelConfig } from "../config.js";
import type { GgufConfigFields, HfConfigFields } from "../config-fields.js";
import type { GgufMetadataEntry } from "../formats/gguf-writer.js";
import type { GgufModelTensor } from "../gguf-file-type.js";
import type { RandomCheckpointSpec } from "../random-checkpoint-spec.js";
import type { ModelWeights, WeightReader } from "../weights.js";

/** A tensor of a random checkpoint: its HF name and shape, and how its values are drawn. */
export interface RandomTensor {
  name: string;
  shape: number[];
  /**
   * matrix and bias: normal with the spec's std; embedding: the token embedding, normal with the
   * spec's embedding std; gain: a norm gain, `center` plus normal noise of std 0.1 (not exactly
   * the center, so a norm wired to the wrong weight shows in the tests).
   */
  kind: "matrix" | "embedding" | "bias" | "gain";
  center?: number;
}

/**
 * Everything pva knows about one architecture, in one file per architecture: how its config
 * reads from config.json and from GGUF metadata (both then pass the same `checkedConfig`), its
 * weight names in both formats, its GGUF metadata for our writer, and its random checkpoints.
 * Its block variant is the traits its config sets; the forward pass reads only those.
 */
export interface ArchitectureDefinition {
  readonly name: Architecture;
  /** config.json `model_type` values it reads (lower case). */
  readonly hfModelTypes: readonly string[];
  /** config.json `architectures` class names it reads (lower case). */
  readonly hfClassNames: readonly string[];
  /** The GGUF `general.architecture` our writer gives it (llama.cpp's name for it). */
  readonly ggufArchitecture: string;
  /** Whether GGUF files of `ggufArchitecture` load as this architecture (one reader per GGUF name). */
  readonly readsGguf: boolean;
  /** config.json's names for the validated fields, for error messages. */
  readonly hfFieldNames: ConfigFieldNames;
  configFromHf(fields: HfConfigFields): ModelConfig;
  configFromGguf(fields: GgufConfigFields): Promise<ModelConfig>;
  loadHf(reader: WeightReader, config: ModelConfig): Promise<ModelWeights>;
  loadGguf(reader: WeightReader, config: ModelConfig): Promise<ModelWeights>;
  /** The `{arch}.*` metadata llama.cpp reads for it (general.* and tokenizer.* are written for all). */
  ggufMetadata(config: ModelConfig): GgufMetadataEntry[];
  /**
   * Its tensors as llama.cpp's converter lays them out; norms and biases name their type (F32),
   * matrices leave it to the file type (gguf-file-type.ts).
   */
  ggufTensors(weights: ModelWeights, config: ModelConfig): GgufModelTensor[];
  /** config.json of a random checkpoint with this shape. */
  randomConfigJson(spec: RandomCheckpointSpec): Record<string, unknown>;
  /** The HF tensors a checkpoint of this config holds, in file order. */
  hfTensors(config: ModelConfig): RandomTensor[];
}
