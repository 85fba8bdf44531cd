import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import {
  RUN_ARTIFACTS,
  RUN_FILES,
  type RunManifest,
  RunManifestSchema,
  readJsonFile,
  redactUrl,
  type StudyConfig,
  writeJsonAtomic,
} from "@pva/core";
import { modelInfo } from "../model-loader.js";
import type { ModelInfo, RunFolder } from "../run-folder.js";
import type { PipelineContext } from "./pipeline-context.js";

const require = createRequire(import.meta.url);
const PACKAGES = ["@pva/core", "@pva/lm", "@pva/stimuli", "@pva/prefs", "@pva/analysis", "@pva/report"];

function versionOf(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

function portable(path: string, from = process.cwd()): string {
  return relative(from, path).split(sep).join("/") || ".";
}

/** Paths of the config as in a study file: relative to the study's folder, so the manifest is the same on any clone. */
function portableConfig(config: StudyConfig, studyDir: string, outputDir: string): StudyConfig {
  const rel = (path: string) => portable(path, studyDir);
  const isPath = (source: string) => isAbsolute(source);
  // model.source is the model's portable id already (see ModelSource)
  return {
    ...config,
    model: {
      ...config.model,
      // A key in an endpoint's query (…/v1?key=sk-…) must not reach an artifact.
      endpoints: config.model.endpoints.map(redactUrl),
    },
    activities:
      typeof config.activities === "string" && isPath(config.activities)
        ? rel(config.activities)
        : config.activities,
    vectors: {
      ...config.vectors,
      corpus: isPath(config.vectors.corpus) ? rel(config.vectors.corpus) : config.vectors.corpus,
    },
    analysis: {
      ...config.analysis,
      valenceNorms: config.analysis.valenceNorms === null ? null : rel(config.analysis.valenceNorms),
    },
    // Where the results went is not what they are: the study's own setting, whatever --out said.
    output: { dir: outputDir },
  };
}

/**
 * Writes `manifest.json`: versions, the effective config and its hash, the seed, the model and
 * the sha256 of every artifact `include` admits. `createdAt` is the time of the run's first
 * manifest and survives re-runs; it is the only timestamp in the folder, and the report leaves it
 * out so that two runs of one study give byte-identical reports.
 */
export async function manifestStage(
  ctx: PipelineContext,
  include: (file: string) => boolean = () => true,
): Promise<RunManifest> {
  const { study, folder } = ctx;
  const previous = await readFile(folder.path(RUN_FILES.manifest), "utf8")
    .then((text) => JSON.parse(text) as Partial<RunManifest>)
    .catch(() => null);
  const fromLog = folder
    .records()
    .map((r) => r.model)
    .filter((m): m is ModelInfo => m !== undefined)
    .at(-1);
  const model = fromLog ?? previous?.model ?? modelInfo(await ctx.models.get());
  const artifacts = await artifactHashes(folder, include);
  const manifest: RunManifest = {
    pva: versionOf("@pva/cli"),
    node: process.version,
    packages: Object.fromEntries(PACKAGES.map((name) => [name, versionOf(name)])),
    study: portable(study.file),
    configHash: study.hash,
    config: portableConfig(study.config, dirname(resolve(study.file)), study.declaredOutputDir),
    seed: study.config.seed,
    model,
    artifacts,
    createdAt: previous?.createdAt ?? new Date().toISOString(),
  };
  await writeJsonAtomic(folder.path(RUN_FILES.manifest), manifest);
  return manifest;
}

/**
 * The sha256 of each artifact file `include` admits, as it is on disk now. Only what the run
 * layout names: a stray file in the folder is not the run's.
 */
export async function artifactHashes(
  folder: RunFolder,
  include: (file: string) => boolean,
): Promise<Record<string, string>> {
  const artifacts: Record<string, string> = {};
  for (const name of RUN_ARTIFACTS)
    for (const file of await folder.filesUnder(RUN_FILES[name])) {
      if (!include(file)) continue;
      const sha = await folder.fileHash(file);
      if (sha !== null) artifacts[file] = sha;
    }
  return artifacts;
}

/**
 * The manifest of a run folder worked on without its study (`pva report <run folder>`): the
 * artifact list is taken again from the files as they are and `include` admits, and the rest of
 * it, written by the run, stays (the versions too: they say what computed the results). A folder
 * without a manifest keeps having none, and gets null.
 */
export async function refreshManifestArtifacts(
  folder: RunFolder,
  include: (file: string) => boolean = () => true,
): Promise<RunManifest | null> {
  const file = folder.path(RUN_FILES.manifest);
  const previous = await readJsonFile(file, RunManifestSchema).catch(() => null);
  if (previous === null) return null;
  const manifest: RunManifest = { ...previous, artifacts: await artifactHashes(folder, include) };
  await writeJsonAtomic(file, manifest);
  return manifest;
}
