import { readFile } from "node:fs/promises";
import { correlate } from "@pva/analysis";
import {
  contentHash,
  EmotionVectorsMetaSchema,
  HumanNormsSchema,
  PreferenceScoresSchema,
  ProbeScoresSchema,
  readJsonFile,
  sha256Hex,
  writeJsonAtomic,
} from "@pva/core";
import type { PipelineContext } from "./pipeline-context.js";
import { PREFERENCES_FILE } from "./preferences-stage.js";
import { PROBES_FILE } from "./probe-stage.js";
import { hasInput } from "./stage-input.js";
import { VECTORS_META_FILE } from "./vectors-stage.js";

export const CORRELATIONS_FILE = "correlations.json";

/** Correlates probe scores with Elo per emotion (CIs, permutation p, FDR) into `correlations.json`. */
export async function analyzeStage(ctx: PipelineContext): Promise<void> {
  const { config } = ctx.study;
  const normsFile = config.analysis.valenceNorms;
  if (!(await hasInput(ctx, "analyze", PROBES_FILE))) return;
  const inputs = contentHash({
    preferences: await ctx.folder.fileHash(PREFERENCES_FILE),
    probes: await ctx.folder.fileHash(PROBES_FILE),
    vectors: await ctx.folder.fileHash(VECTORS_META_FILE),
    analysis: { ...config.analysis, valenceNorms: normsFile && sha256Hex(await readFile(normsFile)) },
    seed: config.seed,
  });
  if (await ctx.folder.finished("analyze", inputs)) {
    ctx.progress.line("analyze: up to date");
    return;
  }
  const bar = ctx.progress.stage("analyze", "emotions");
  const preferences = await readJsonFile(ctx.folder.path(PREFERENCES_FILE), PreferenceScoresSchema);
  const probes = await readJsonFile(ctx.folder.path(PROBES_FILE), ProbeScoresSchema);
  const vectorsMeta = await readJsonFile(ctx.folder.path(VECTORS_META_FILE), EmotionVectorsMetaSchema);
  const valenceNorms = normsFile ? await readJsonFile(normsFile, HumanNormsSchema) : null;
  const result = correlate(preferences, probes, {
    bootstrap: config.analysis.bootstrap,
    permutations: config.analysis.permutations,
    seed: config.seed,
    vectorsMeta,
    valenceNorms,
  });
  await writeJsonAtomic(ctx.folder.path(CORRELATIONS_FILE), result);
  bar.update(result.emotions.length, result.emotions.length);
  bar.finish(`${config.analysis.bootstrap} bootstrap, ${config.analysis.permutations} permutations`);
  await ctx.folder.finish("analyze", inputs, [CORRELATIONS_FILE]);
}
