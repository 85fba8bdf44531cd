import { loadEmotionVectors, runSteering } from "@pva/analysis";
import {
  CorrelationResultSchema,
  contentHash,
  PreferenceScoresSchema,
  readJsonFile,
  writeJsonAtomic,
} from "@pva/core";
import { throwIfInterrupted } from "../interrupt.js";
import { studyBackend } from "../study-backend.js";
import { CORRELATIONS_FILE } from "./analyze-stage.js";
import type { PipelineContext } from "./pipeline-context.js";
import { CHOICES_FILE, PREFERENCES_FILE, preferencesInputs } from "./preferences-stage.js";
import { hasInput } from "./stage-input.js";
import { VECTORS_FILE } from "./vectors-stage.js";

export const STEERING_FILE = "steering.json";

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
  if (!(await hasInput(ctx, "steer", VECTORS_FILE))) return;
  const correlations = await readJsonFile(ctx.folder.path(CORRELATIONS_FILE), CorrelationResultSchema).catch(
    () => null,
  );
  const inputs = contentHash({
    baseline: preferencesInputs(ctx),
    preferences: await ctx.folder.fileHash(PREFERENCES_FILE),
    vectors: await ctx.folder.fileHash(VECTORS_FILE),
    correlations: await ctx.folder.fileHash(CORRELATIONS_FILE),
    plan,
  });
  if (await ctx.folder.finished("steer", inputs)) {
    ctx.progress.line("steer: up to date");
    return;
  }
  const model = await ctx.models.get();
  // The baseline's own backend: a steered tournament differs from it only by the added vectors.
  const backend = await studyBackend(config, ctx.models);
  const vectors = await loadEmotionVectors(ctx.folder.path(VECTORS_FILE));
  const baseline = await readJsonFile(ctx.folder.path(PREFERENCES_FILE), PreferenceScoresSchema);
  const sweep = plan.layerSweep ?? [];
  const conditions = plan.emotions.length * (plan.strengths.length * plan.splits + sweep.length);
  const bar = ctx.progress.stage("steer", "choices");
  let finished = 0;
  let current: { condition: string; total: number } | null = null;
  const result = await runSteering({
    model,
    backend,
    activities,
    vectors,
    baseline,
    emotions: plan.emotions,
    strengths: plan.strengths,
    layers: plan.layers,
    splits: plan.splits,
    layerSweep: sweep,
    seed: config.seed,
    storeFile: ctx.folder.path(CHOICES_FILE),
    elicitation: {
      design: config.elicitation.design,
      readout: config.elicitation.readout,
      samplesPerPair: config.elicitation.samplesPerPair,
      concurrency: config.elicitation.concurrency,
      refusalPolicy: config.elicitation.refusalPolicy,
    },
    rating: { bootstrap: config.rating.bootstrap, level: config.rating.ciLevel, prior: config.rating.prior },
    // An emotion with an undefined correlation (noted, r written as 0) has no r to compare with.
    probeR: correlations
      ? Object.fromEntries(
          correlations.emotions.filter((e) => e.note === undefined).map((e) => [e.emotion, e.pearson]),
        )
      : undefined,
    coherence: plan.coherencePrompt,
    signal: ctx.signal,
    onProgress: ({ condition, done, total }) => {
      if (current !== null && current.condition !== condition) finished += current.total;
      current = { condition, total };
      bar.update(finished + done, Math.max(finished + total, conditions * total));
    },
  });
  bar.finish(`${conditions} steered tournaments`);
  throwIfInterrupted(ctx.signal, "steer");
  await writeJsonAtomic(ctx.folder.path(STEERING_FILE), result);
  await ctx.folder.finish("steer", inputs, [STEERING_FILE]);
}
