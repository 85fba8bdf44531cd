import { loadEmotionVectors, runSteering } from "@pva/analysis";
import {
  CorrelationResultSchema,
  contentHash,
  PvaError,
  RUN_FILES,
  readJsonFile,
  writeJsonAtomic,
} from "@pva/core";
import { studyBackend } from "../study-backend.js";
import type { PipelineContext } from "./pipeline-context.js";
import { preferencesInputs } from "./preferences-stage.js";
import { hasInput } from "./stage-input.js";
import { studyTournament } from "./study-tournament.js";

/**
 * The causal test: re-runs the tournament with an emotion vector added on half the activities'
 * tokens and measures the Elo shift (`steering.json`). Its choices go into `choices.jsonl` under
 * their own condition ids, so an interrupted steering run resumes like the baseline.
 */
export async function steerStage(ctx: PipelineContext): Promise<void> {
  const { config, activities } = ctx.study;
  const plan = config.steering;
  if (plan === null) {
    ctx.progress.line('steer: no steering planned in the study (add a "steering" section)');
    return;
  }
  if (config.model.backend !== "embedded") {
    ctx.progress.line("steer: skipped, steering needs the model in process (not an API backend)");
    return;
  }
  if (!(await hasInput(ctx, "steer", RUN_FILES.vectors))) return;
  const correlations = await readJsonFile(
    ctx.folder.path(RUN_FILES.correlations),
    CorrelationResultSchema,
  ).catch(() => null);
  const inputs = contentHash({
    baseline: await preferencesInputs(ctx),
    preferences: await ctx.folder.fileHash(RUN_FILES.preferences),
    vectors: await ctx.folder.fileHash(RUN_FILES.vectors),
    correlations: await ctx.folder.fileHash(RUN_FILES.correlations),
    plan,
    // steering.json's shape: the steered half's own change as the headline, dose, CIs across emotions.
    format: 2,
  });
  if (await ctx.folder.finished("steer", inputs)) {
    ctx.progress.line("steer: up to date");
    return;
  }
  const model = await ctx.models.get();
  // The baseline's own backend and tournament: a steered tournament differs from the baseline
  // only by the added vectors, and runSteering re-reads the baseline through it (from the store).
  const backend = await studyBackend(config, ctx.models);
  if (!backend.capabilities.steering)
    throw new PvaError(`${backend.id}: steering needs the embedded backend`, "E_CONFIG");
  const vectors = await loadEmotionVectors(ctx.folder.path(RUN_FILES.vectors));
  const sweep = plan.layerSweep ?? [];
  const conditions = plan.emotions.length * (plan.strengths.length * plan.splits + sweep.length);
  const bar = ctx.progress.stage("steer", "choices");
  let finished = 0;
  let current: { condition: string; total: number } | null = null;
  const tournament = studyTournament(ctx, backend, {
    onProgress: (condition, { done, total }) => {
      if (condition === "baseline") return;
      if (current !== null && current.condition !== condition) finished += current.total;
      current = { condition, total };
      bar.update(finished + done, Math.max(finished + total, conditions * total));
    },
  });
  const result = await runSteering({
    model,
    activities,
    vectors,
    plan: {
      emotions: plan.emotions,
      strengths: plan.strengths,
      layers: plan.layers,
      splits: plan.splits,
      layerSweep: sweep,
      coherence: plan.coherencePrompt,
      seed: config.seed,
      level: config.rating.ciLevel,
    },
    tournament,
    // An emotion with an undefined correlation (noted, r written as 0) has no r to compare with.
    probeR: correlations
      ? Object.fromEntries(
          correlations.emotions.filter((e) => e.note === undefined).map((e) => [e.emotion, e.pearson]),
        )
      : undefined,
    signal: ctx.signal,
  });
  bar.finish(`${conditions} steered ${conditions === 1 ? "tournament" : "tournaments"}`);
  await writeJsonAtomic(ctx.folder.path(RUN_FILES.steering), result);
  await ctx.folder.finish("steer", inputs, [RUN_FILES.steering]);
}
