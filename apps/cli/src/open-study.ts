import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  type Activity,
  contentHash,
  type Emotion,
  InputError,
  loadStudy,
  type ModelSource,
  PvaError,
  parseModelSource,
  type StudyConfig,
  studyActivities,
  studyEmotions,
} from "@pva/core";
import type { StudyOptions } from "./study-options.js";

/** A study as a command uses it: the file's config with the command line's overrides applied. */
export interface OpenedStudy {
  /** The study.json that was read. */
  file: string;
  config: StudyConfig;
  /**
   * The weights the study reads (`model.source`, or `--model` without `--endpoint`): the model the
   * embedded backend asks and the activation stages read. `config.model.source` is its id.
   */
  model: ModelSource;
  /** Hash of what the results depend on; its first 12 digits name the run folder. */
  hash: string;
  /** The study file's own `output.dir` as written ("runs" when it sets none); where this run went is `runDir`. */
  declaredOutputDir: string;
  /** `<output dir>/<name>-<hash12>`. */
  runDir: string;
  activities: Activity[];
  emotions: Emotion[];
}

/** `experiments/smoke` or `experiments/smoke/study.json` -> the study file. */
async function studyFileOf(path: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (info === null) throw new InputError(path, "", "no such study file or folder");
  if (!info.isDirectory()) return path;
  const file = join(path, "study.json");
  if (!(await stat(file).catch(() => null))) throw new InputError(path, "", "no study.json in this folder");
  return file;
}

/** The config with the command line's options applied; `changed` lists the ones that alter results. */
function applyOverrides(
  config: StudyConfig,
  studySource: ModelSource,
  studyDir: string,
  opts: StudyOptions,
): { config: StudyConfig; source: ModelSource; changed: Record<string, unknown> } {
  const changed: Record<string, unknown> = {};
  let source = studySource;
  let model = config.model;
  let elicitation = config.elicitation;
  if (opts.endpoint && opts.endpoint.length > 0) {
    // The server answers the choices; the study's model source still names the weights the
    // activation stages read. Which server answers does not change the answers, so endpoints
    // stay out of the hash.
    // The served model's name: --model, else the study's model.name, else its hf: id (servers
    // such as vLLM serve a hub model under that id). A builtin or local model is served by no one.
    const name =
      opts.model ?? model.name ?? (model.source.startsWith("hf:") ? model.source.slice(3) : undefined);
    if (name === undefined)
      throw new PvaError(
        `--endpoint needs --model <served model name>: the study's model ${model.source} is not a name a server knows`,
        "E_USAGE",
      );
    model = { ...model, backend: "openai", endpoints: opts.endpoint, name };
    changed.backend = "openai";
    changed.apiModel = name;
    if (elicitation.readout === "logits") {
      elicitation = { ...elicitation, readout: "logprobs" };
      changed.readout = "logprobs";
    }
  } else if (opts.model !== undefined) {
    // A path on the command line is relative to where pva runs, and named relative to the study's
    // folder like one in the study file, so naming the study's own model changes nothing.
    const given = parseModelSource(opts.model, process.cwd(), studyDir);
    if (given.id !== source.id) {
      source = given;
      model = { ...model, source: given.id };
      changed.model = given.id;
    }
  }
  if (opts.quantize !== undefined) {
    model = { ...model, quantize: opts.quantize };
    changed.quantize = opts.quantize;
  }
  if (opts.budget !== undefined) {
    const rounds = config.elicitation.design.kind === "active" ? config.elicitation.design.rounds : 20;
    elicitation = { ...elicitation, design: { kind: "active", budget: opts.budget, rounds } };
    changed.budget = opts.budget;
  }
  if (opts.concurrency !== undefined) elicitation = { ...elicitation, concurrency: opts.concurrency };
  let seed = config.seed;
  if (opts.seed !== undefined) {
    seed = opts.seed;
    changed.seed = seed;
  }
  return { config: { ...config, model, elicitation, seed }, source, changed };
}

/**
 * Where run folders go: `--out`, else the study's own `output.dir` when it sets one (relative to
 * the study file), else `./runs` in the current directory, so `pva run experiments/x` from the
 * repository root writes `runs/x-<hash>/` beside the experiments rather than inside them.
 */
async function outputDirOf(
  file: string,
  config: StudyConfig,
  out: string | undefined,
): Promise<{ dir: string; declared: string }> {
  const raw = JSON.parse(await readFile(file, "utf8")) as { output?: { dir?: string } };
  const declared = raw.output?.dir ?? "runs";
  if (out !== undefined) return { dir: resolve(out), declared };
  return { dir: raw.output?.dir !== undefined ? config.output.dir : resolve("runs"), declared };
}

export async function openStudy(path: string, opts: StudyOptions): Promise<OpenedStudy> {
  const file = await studyFileOf(path);
  const loaded = await loadStudy(file);
  const { config, source, changed } = applyOverrides(loaded.config, loaded.model, loaded.dir, opts);
  const hash = Object.keys(changed).length === 0 ? loaded.hash : contentHash({ study: loaded.hash, changed });
  const output = await outputDirOf(file, config, opts.out);
  const activities = await studyActivities(config);
  return {
    file,
    config: { ...config, output: { dir: output.dir } },
    model: source,
    hash,
    declaredOutputDir: output.declared,
    runDir: join(output.dir, `${config.name}-${hash.slice(0, 12)}`),
    activities,
    emotions: studyEmotions(config),
  };
}
