import { architectureForHf } from "./architectures/registry.js";
import { checkedConfig, type ModelConfig } from "./config.js";
import { HfConfigFields } from "./config-fields.js";

/** Reads an HF config.json object (transformers 4.x and 5.x spellings) through its architecture's file. */
export function parseHfConfig(raw: unknown, file: string): ModelConfig {
  const fields = new HfConfigFields(raw, file);
  const architecture = architectureForHf(fields);
  return checkedConfig(architecture.configFromHf(fields), file, architecture.hfFieldNames);
}
