import { isAbsolute, relative, resolve, sep } from "node:path";
import { PvaError } from "./errors.js";
import type { StudyConfig } from "./schemas/study-config.js";

/** Where a model's weights or answers come from. */
export type ModelSourceKind = "builtin" | "hub" | "local" | "endpoint";

/**
 * A model as pva names it. Every reader of a model source string goes through `parseModelSource`
 * (or `endpointModelSource`), so there is one rule for what a source means and one portable name
 * for it. The fingerprint that says whether the model's files changed is @pva/lm's
 * `modelFingerprint(source)`: it needs what only the runtime knows (builtin specs, the hub).
 */
export interface ModelSource {
  kind: ModelSourceKind;
  /**
   * The same on every machine and every clone, so it may enter artifacts, choice keys and hashes:
   * `builtin:random-tiny`; `hf:org/name` or `hf:org/name@revision` as written (the files behind a
   * moving revision are told apart by the fingerprint, and writing `@main` into every id would
   * only rename existing runs); a local file or folder as a `/`-separated path relative to the
   * study's folder (or, outside a study, to the working directory); `openai:<served name>` or
   * `anthropic:<name>` for an API.
   */
  id: string;
  /**
   * Where it is on this machine: the builtin's name, the hub's `org/name[@revision]`, the local
   * file or folder's absolute path, or the API's base URLs (space-separated; "" for the default).
   * Machine-specific: never written into an artifact.
   */
  location: string;
}

/** `hf:`, `builtin:`, ... name a model; anything without a scheme is a path. Two letters at least, so `C:\models` is a path. */
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;
/** `hf:org/name` or `hf:org/name@revision`. */
const HUB_SPEC = /^[\w.-]+\/[\w.-]+(?:@[\w./-]+)?$/;

function portablePath(path: string): string {
  return path.split(sep).join("/") || ".";
}

/**
 * The model a source string names. A path is resolved against `base` (the study's folder for a
 * study file, the working directory for `--model` or a library call) and named relative to
 * `idBase` (the study's folder when there is one), so moving the study and its model together, or
 * naming the same folder from another working directory, keeps the id.
 */
export function parseModelSource(text: string, base: string, idBase: string = base): ModelSource {
  if (text.startsWith("builtin:"))
    return { kind: "builtin", id: text, location: text.slice("builtin:".length) };
  if (text.startsWith("hf:")) {
    const spec = text.slice("hf:".length);
    if (!HUB_SPEC.test(spec))
      throw new PvaError(`${text}: expected hf:org/name or hf:org/name@revision`, "E_MODEL_SOURCE");
    return { kind: "hub", id: text, location: spec };
  }
  if (SCHEME.test(text) && !isAbsolute(text))
    throw new PvaError(
      `${text}: unknown model source (expected an HF model folder, a .gguf file, hf:org/name or builtin:random-tiny)`,
      "E_MODEL_SOURCE",
    );
  const location = resolve(base, text);
  return { kind: "local", id: portablePath(relative(idBase, location)), location };
}

/** The name an API is asked for: the study's `model.name`, else its source without `hf:`. */
export function apiModelName(model: StudyConfig["model"]): string {
  return model.name ?? model.source.replace(/^hf:/, "");
}

/**
 * The portable id of a model an API serves, `openai:<served name>` or `anthropic:<name>`: what the
 * API backends write into every ChoiceRecord (so into every choice key), and the id of an endpoint
 * ModelSource.
 */
export function apiModelId(api: "openai" | "anthropic", name: string): string {
  return `${api}:${name}`;
}

/** The API that answers a study's choices (backend `openai` or `anthropic`). */
export function endpointModelSource(model: StudyConfig["model"]): ModelSource {
  if (model.backend === "embedded")
    throw new PvaError("endpointModelSource: the embedded backend is not an API", "E_MODEL_SOURCE");
  return {
    kind: "endpoint",
    id: apiModelId(model.backend, apiModelName(model)),
    location: model.endpoints.join(" "),
  };
}
