import { readFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import { InputError, PvaError } from "./errors.js";
import { contentHash, sha256Hex } from "./hash.js";
import { type ModelSource, parseModelSource } from "./model-source.js";
import { parseWithSchema } from "./parse-with-schema.js";
import { parseJsonText, readTextFile } from "./read-json-file.js";
import { type StudyConfig, StudyFileSchema } from "./schemas/study-config.js";

export interface LoadedStudy {
  /**
   * Defaults filled in; every relative file path resolved against the study file's folder, except
   * `model.source`, which holds the model's portable id (see `model`).
   */
  config: StudyConfig;
  /** The model `model.source` names: its portable id and where it is on this machine. */
  model: ModelSource;
  /** Absolute folder of the study file. */
  dir: string;
  /** contentHash of the normalised config (paths relative to `dir`, output left out) and of the files it names. */
  hash: string;
}

type PathRewrite = (path: string) => string;

/** The config with each file path it holds rewritten by `rewrite` (the model's source is its portable id already). */
function mapPaths(config: StudyConfig, rewrite: PathRewrite): StudyConfig {
  return {
    ...config,
    activities:
      typeof config.activities === "string" && config.activities !== "default"
        ? rewrite(config.activities)
        : config.activities,
    vectors: {
      ...config.vectors,
      corpus: config.vectors.corpus === "builtin" ? "builtin" : rewrite(config.vectors.corpus),
    },
    analysis: {
      ...config.analysis,
      valenceNorms: config.analysis.valenceNorms === null ? null : rewrite(config.analysis.valenceNorms),
    },
    output: { ...config.output, dir: rewrite(config.output.dir) },
  };
}

/** Hash of a file the study names, so editing that file gives the study a new hash. */
async function referencedFileHash(studyFile: string, field: string, path: string): Promise<string> {
  try {
    return sha256Hex(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : (code ?? "unreadable");
    throw new InputError(studyFile, field, `cannot read ${JSON.stringify(path)}: ${reason}`);
  }
}

/** The study's model source, with a mistake in it reported as the study file's field. */
function studyModelSource(file: string, source: string, dir: string): ModelSource {
  try {
    return parseModelSource(source, dir);
  } catch (error) {
    if (error instanceof PvaError) throw new InputError(file, "model.source", error.message);
    throw error;
  }
}

/**
 * Reads `study.json`: validates it (InputError `file: path: expectation` on any mistake), fills
 * defaults, resolves relative paths against the study's folder and computes the study hash that
 * names its run folder. The hash is the same on every clone (paths enter it relative to the study
 * folder, with `/`) and ignores `output`, which says where results go, not what they are.
 */
export async function loadStudy(file: string): Promise<LoadedStudy> {
  const { $schema: _schema, ...raw } = parseWithSchema(
    StudyFileSchema,
    parseJsonText(file, await readTextFile(file)),
    file,
  );
  const dir = dirname(resolve(file));
  const model = studyModelSource(file, raw.model.source, dir);
  const config = mapPaths({ ...raw, model: { ...raw.model, source: model.id } }, (path) =>
    resolve(dir, path),
  );
  const portable = mapPaths(config, (path) => relative(dir, path).split(sep).join("/"));
  const files: Record<string, string> = {};
  if (typeof config.activities === "string" && config.activities !== "default")
    files.activities = await referencedFileHash(file, "activities", config.activities);
  if (config.analysis.valenceNorms !== null)
    files["analysis.valenceNorms"] = await referencedFileHash(
      file,
      "analysis.valenceNorms",
      config.analysis.valenceNorms,
    );
  const { output: _output, ...hashed } = portable;
  const hash = contentHash({ config: hashed, files });
  return { config, model, dir, hash };
}
