import { contentHash, type PreferenceScores, RUN_FILES, writeJsonAtomic } from "@pva/core";
import { modelInfo } from "../model-loader.js";
import type { StageProgress } from "../progress.js";
import { studyBackend } from "../study-backend.js";
import type { PipelineContext } from "./pipeline-context.js";
import { studyTournament } from "./study-tournament.js";

/** Everything the baseline choices and their fit depend on (not endpoints or concurrency). */
export function preferencesInputs(ctx: PipelineContext): string {
  const { config, activities } = ctx.study;
  const { concurrency: _c, maxRetries: _r, ...elicitation } = config.elicitation;
  return contentHash({
    model: { source: config.model.source, backend: config.model.backend, name: config.model.name },
    activities,
    question: config.prompts.choice,
    elicitation,
    rating: config.rating,
    seed: config.seed,
  });
}

/**
 * Runs the study's tournament unsteered (`studyTournament`: every pair of the design, resuming
 * from `choices.jsonl`, then the Bradley-Terry/Elo fit) into `preferences.json`. A run with
 * failed requests stops with an error before the fit, so a re-run asks them again instead of
 * fitting a hole.
 */
export async function preferencesStage(ctx: PipelineContext): Promise<void> {
  const { config, activities } = ctx.study;
  const inputs = preferencesInputs(ctx);
  if (await ctx.folder.finished("preferences", inputs)) {
    ctx.progress.line("elicit: up to date");
    return;
  }
  const backend = await studyBackend(config, ctx.models);
  const bar = ctx.progress.stage("elicit", "comparisons");
  let fitBar: StageProgress | null = null;
  const tournament = studyTournament(ctx, backend, {
    onProgress: (_condition, p) => bar.update(p.done, p.total, p.failures),
    // An active design that stopped short of its budget says why, so a short run is not a mystery.
    onElicited: (_condition, stopReason) => {
      bar.finish(stopReason ?? undefined);
      fitBar = ctx.progress.stage("fit", "activities");
    },
  });
  let scores: PreferenceScores;
  try {
    scores = await tournament("baseline", null);
  } finally {
    if (fitBar === null) bar.finish();
  }
  await writeJsonAtomic(ctx.folder.path(RUN_FILES.preferences), scores);
  const fitted = fitBar as StageProgress | null;
  fitted?.update(activities.length, activities.length);
  fitted?.finish(`${config.rating.bootstrap} bootstrap resamples`);
  const model =
    config.model.backend === "embedded"
      ? modelInfo(await ctx.models.get())
      : { id: backend.id, hash: contentHash(backend.id), builtinRandom: false };
  await ctx.folder.finish("preferences", inputs, [RUN_FILES.preferences], model);
}
