import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { HumanNormsSchema, type ModelSource, PvaError, readJsonFile } from "@pva/core";
import { BUILTIN_MODELS, openGguf, parseHfConfig } from "@pva/lm";
import type { OpenedStudy } from "./open-study.js";
import { studyCorpus } from "./stages/study-corpus.js";
import type { StageName } from "./stages/study-stages.js";

/** Every problem found, one `pva:` line each; thrown only when there is at least one. */
export class StudyProblems extends PvaError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"), "E_INPUT");
    this.name = "StudyProblems";
  }
}

/**
 * The model's layer count from its config alone (the builtin spec, config.json or the GGUF
 * header), no weights read; undefined when it cannot be read here: a hub model (checked when it
 * loads, once downloaded) or a local one that is missing or unreadable (the loader reports that).
 * A local model is read where the study's ModelSource found it, so relative to the study file
 * and never to the folder pva runs in.
 */
async function modelLayerCount(model: ModelSource): Promise<number | undefined> {
  if (model.kind === "builtin") return BUILTIN_MODELS[model.location]?.numLayers;
  if (model.kind !== "local") return undefined;
  const path = model.location;
  const info = await stat(path).catch(() => null);
  if (info === null) return undefined;
  try {
    if (info.isDirectory()) {
      const file = join(path, "config.json");
      return parseHfConfig(JSON.parse(await readFile(file, "utf8")), file).numLayers;
    }
    const gguf = await openGguf(path);
    try {
      const architecture = gguf.metadata.get("general.architecture");
      const count = gguf.metadata.get(`${String(architecture)}.block_count`);
      return typeof count === "number" ? count : typeof count === "bigint" ? Number(count) : undefined;
    } finally {
      await gguf.close();
    }
  } catch {
    return undefined;
  }
}

/** A stage's config mistake found before any stage runs, or its message. */
async function problemOf(check: () => Promise<void>): Promise<string | undefined> {
  try {
    await check();
    return undefined;
  } catch (error) {
    if (error instanceof PvaError) return error.message;
    throw error;
  }
}

/**
 * Checks what the study names for the stages about to run, before the first of them: files (the
 * corpus, the valence norms), layers against the model's config (read without its weights),
 * steered emotions among the study's. A mistake that used to surface only at its stage, after
 * a long elicitation, is reported at once, all of them together.
 */
export async function checkStudy(study: OpenedStudy, stages: readonly StageName[]): Promise<void> {
  const { config, file } = study;
  const runs = (stage: StageName) => stages.includes(stage);
  const problems: string[] = [];
  const add = (problem: string | undefined) => {
    if (problem !== undefined) problems.push(problem);
  };

  if ((runs("vectors") || runs("probe") || runs("steer")) && config.vectors.corpus !== "builtin") {
    const corpus = config.vectors.corpus;
    if (!(await stat(corpus).catch(() => null)))
      add(`${file}: vectors.corpus: cannot read ${JSON.stringify(corpus)}: no such file or folder`);
    else add(await problemOf(async () => void (await studyCorpus(corpus))));
  }
  const norms = config.analysis.valenceNorms;
  if (runs("analyze") && norms !== null)
    add(await problemOf(() => readJsonFile(norms, HumanNormsSchema).then(() => {})));

  const steering = config.steering;
  if (runs("steer") && steering !== null) {
    const chosen = new Set(study.emotions.map((e) => e.name));
    const missing = steering.emotions.filter((e) => !chosen.has(e));
    if (missing.length > 0)
      add(
        `${file}: steering.emotions: ${missing.map((e) => JSON.stringify(e)).join(", ")} not among the study's emotions, which are the only ones with vectors`,
      );
  }

  // Layers against the model: only for a model whose config is on disk or built in (a hub model
  // is checked when it loads), and only when the study names layers.
  const namedLayers: [string, number[]][] = [];
  if ((runs("vectors") || runs("probe")) && config.vectors.layers !== "auto")
    namedLayers.push(["vectors.layers", config.vectors.layers]);
  if (runs("steer") && steering !== null && config.model.backend === "embedded") {
    // one layer (a number) or an inclusive range [from, to]; its last layer is the one to check
    if (steering.layers !== "auto")
      namedLayers.push([
        "steering.layers",
        typeof steering.layers === "number" ? [steering.layers] : steering.layers,
      ]);
    if (steering.layerSweep) namedLayers.push(["steering.layerSweep", steering.layerSweep]);
  }
  if (namedLayers.length > 0) {
    const numLayers = await modelLayerCount(study.model);
    if (numLayers !== undefined)
      for (const [field, layers] of namedLayers) {
        const outside = layers.filter((layer) => layer >= numLayers);
        if (outside.length > 0)
          add(
            `${file}: ${field}: layer${outside.length > 1 ? "s" : ""} ${outside.join(", ")} outside the model's layers 0..${numLayers - 1} (${study.model.id})`,
          );
      }
  }
  if (problems.length > 0) throw new StudyProblems(problems);
}
