import { readFile } from "node:fs/promises";
import { correlate } from "@pva/analysis";
import {
  contentHash,
  EmotionVectorsMetaSchema,
  HumanNormsSchema,
  PreferenceScoresSchema,
  ProbeScoresSchema,
  RUN_FILES,
  readJsonFile,
  sha256Hex,
  writeJsonAtomic,
} from "@pva/core";
import type { PipelineContext } from "./pipeline-context.js";
import { hasInput } from "./stage-input.js";

/** Correlates probe scores with Elo per emotion (CIs, permutation p, FDR) into `correlations.json`. */
export async function analyzeStage(ctx: PipelineContext): Promise<void> {
  const { config } = ctx.study;
  const normsFile = config.analysis.valenceNorms;
  if (!(await hasInput(ctx, "analyze", RUN_FILES.probes))) return;
  const inputs = contentHash({
    preferences: await ctx.folder.fileHash(RUN_FILES.preferences),
    probes: await ctx.folder.fileHash(RUN_FILES.probes),
    vectors: await ctx.folder.fileHash(RUN_FILES.vectorsMeta),
    analysis: { ...config.analysis, valenceNorms: normsFile && sha256Hex(await readFile(normsFile)) },
    seed: config.seed,
  });
  if (await ctx.folder.finished("analyze", inputs)) {
    ctx.progress.line("analyze: up to date");
    return;
  }
  const bar = ctx.progress.stage("analyze", "emotions");
  const preferences = await readJsonFile(ctx.folder.path(RUN_FILES.preferences), PreferenceScoresSchema);
  const probes = await readJsonFile(ctx.folder.path(RUN_FILES.probes), ProbeScoresSchema);
  const vectorsMeta = await readJsonFile(ctx.folder.path(RUN_FILES.vectorsMeta), EmotionVectorsMetaSchema);
  const valenceNorms = normsFile ? await readJsonFile(normsFile, HumanNormsSchema) : null;
  const result = correlate(preferences, probes, {
    bootstrap: config.analysis.bootstrap,
    permutations: config.analysis.permutations,
    seed: config.seed,
    vectorsMeta,
    valenceNorms,
  });
  await writeJsonAtomic(ctx.folder.path(RUN_FILES.correlations), result);
  bar.update(result.emotions.length, result.emotions.length);
  bar.finish(`${config.analysis.bootstrap} bootstrap, ${config.analysis.permutations} permutations`);
  await ctx.folder.finish("analyze", inputs, [RUN_FILES.correlations]);
}
