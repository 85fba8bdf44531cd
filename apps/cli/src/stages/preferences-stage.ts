import { contentHash, PvaError, RUN_FILES, writeJsonAtomic } from "@pva/core";
import { elicit, fitPreferences } from "@pva/prefs";
import { throwIfInterrupted } from "../interrupt.js";
import { modelInfo } from "../model-loader.js";
import { studyBackend } from "../study-backend.js";
import type { PipelineContext } from "./pipeline-context.js";

/** Everything the baseline choices and their fit depend on (not endpoints or concurrency). */
export function preferencesInputs(ctx: PipelineContext): string {
  const { config, activities } = ctx.study;
  const { concurrency: _c, maxRetries: _r, requestTimeoutSeconds: _t, ...elicitation } = config.elicitation;
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
 * Asks the model every pair of the design (resuming from `choices.jsonl`), then fits
 * Bradley-Terry/Elo scores into `preferences.json`. A run with failed requests stops with an
 * error before the fit, so a re-run asks them again instead of fitting a hole.
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
  let failures = 0;
  let lastFailure: string | null = null;
  let stopReason: string | null = null;
  const records = await elicit({
    backend,
    activities,
    design: config.elicitation.design,
    storeFile: ctx.folder.path(RUN_FILES.choices),
    condition: "baseline",
    seed: config.seed,
    readout: config.elicitation.readout,
    samplesPerPair: config.elicitation.samplesPerPair,
    concurrency: config.elicitation.concurrency,
    refusalPolicy: config.elicitation.refusalPolicy,
    signal: ctx.signal,
    onProgress: (p) => {
      failures = p.failures;
      lastFailure = p.lastFailure;
      stopReason = p.stopReason ?? stopReason;
      bar.update(p.done, p.total, p.failures);
    },
  });
  // An active design that stopped short of its budget says why, so a short run is not a mystery.
  bar.finish(stopReason ?? undefined);
  throwIfInterrupted(ctx.signal, "elicit");
  if (failures > 0)
    throw new PvaError(
      `elicit: ${failures} requests failed after retries (last: ${lastFailure}); the answers so far are kept, run again to retry the rest`,
      "E_ELICIT_FAILED",
    );

  const fitBar = ctx.progress.stage("fit", "activities");
  const scores = fitPreferences(records, activities, {
    bootstrap: config.rating.bootstrap,
    level: config.rating.ciLevel,
    prior: config.rating.prior,
    seed: config.seed,
    refusalPolicy: config.elicitation.refusalPolicy,
    model: backend.id,
    condition: "baseline",
  });
  await writeJsonAtomic(ctx.folder.path(RUN_FILES.preferences), scores);
  fitBar.update(activities.length, activities.length);
  fitBar.finish(`${config.rating.bootstrap} bootstrap resamples`);
  const model =
    config.model.backend === "embedded"
      ? modelInfo(await ctx.models.get())
      : { id: backend.id, hash: contentHash(backend.id), builtinRandom: false };
  await ctx.folder.finish("preferences", inputs, [RUN_FILES.preferences], model);
}
