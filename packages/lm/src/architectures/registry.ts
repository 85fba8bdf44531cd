import { PvaError } from "@pva/core";
import type { Architecture } from "../config.js";
import type { HfConfigFields } from "../config-fields.js";
import type { ArchitectureDefinition } from "./architecture.js";
import { gemma2 } from "./gemma2.js";
import { gemma3 } from "./gemma3.js";
import { gpt2 } from "./gpt2.js";
import { llama } from "./llama.js";
import { mistral } from "./mistral.js";
import { phi3 } from "./phi3.js";
import { qwen2 } from "./qwen2.js";
import { qwen3 } from "./qwen3.js";

/** Every architecture pva runs. Adding one means writing its file and listing it here. */
export const ARCHITECTURES: readonly ArchitectureDefinition[] = [
  llama,
  qwen2,
  gpt2,
  gemma2,
  gemma3,
  qwen3,
  mistral,
  phi3,
];

/** The names config.json uses for what we support, for the one-line "unsupported" error. */
export function supportedHfNames(): string[] {
  return ARCHITECTURES.flatMap((a) => a.hfModelTypes);
}

export function architectureNamed(name: Architecture): ArchitectureDefinition {
  const found = ARCHITECTURES.find((a) => a.name === name);
  if (!found) throw new PvaError(`unknown architecture ${JSON.stringify(name)}`, "E_ARCHITECTURE");
  return found;
}

/** The architecture a config.json describes, by its model_type or, failing that, its class names. */
export function architectureForHf(f: HfConfigFields): ArchitectureDefinition {
  const byType = ARCHITECTURES.find((a) => a.hfModelTypes.includes(f.modelType));
  const byClass = ARCHITECTURES.find((a) => f.classNames.some((n) => a.hfClassNames.includes(n)));
  const found = byType ?? byClass;
  if (!found)
    f.fail(
      "model_type",
      `unsupported architecture ${JSON.stringify(f.string("model_type") ?? (f.classNames[0] || null))} (supported: ${supportedHfNames().join(", ")})`,
    );
  return found;
}

/** The architecture that reads GGUF files whose general.architecture is `arch`. */
export function architectureForGguf(arch: string | undefined, source: string): ArchitectureDefinition {
  const found = ARCHITECTURES.find((a) => a.readsGguf && a.ggufArchitecture === arch);
  if (!found)
    throw new PvaError(
      `${source}: general.architecture: unsupported ${JSON.stringify(arch ?? null)} (${ARCHITECTURES.filter(
        (a) => a.readsGguf,
      )
        .map((a) => a.ggufArchitecture)
        .join(", ")} are)`,
      "E_MODEL_FILE",
    );
  return found;
}
