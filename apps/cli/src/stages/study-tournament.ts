import type { SteeringTournament } from "@pva/analysis";
import { PvaError, RUN_FILES } from "@pva/core";
import { type ChoiceBackend, type ElicitProgress, elicit, fitPreferences } from "@pva/prefs";
import type { PipelineContext } from "./pipeline-context.js";

/**
 * The study's tournament: every pair of its design asked under a condition id (resuming from
 * `choices.jsonl`), then fitted with its rating settings. The one place the study's elicitation
 * and fit options are turned into `elicit` and `fitPreferences` calls, so the baseline and every
 * steered condition are asked and fitted alike and differ only by the added vectors.
 */
export function studyTournament(
  ctx: PipelineContext,
  backend: ChoiceBackend,
  hooks: {
    onProgress?: (condition: string, p: ElicitProgress) => void;
    /** Every answer of the condition is in; its fit starts now. */
    onElicited?: (condition: string, stopReason: string | null) => void;
  } = {},
): SteeringTournament {
  const { config, activities } = ctx.study;
  return async (condition, steering) => {
    let failures = 0;
    let lastFailure: string | null = null;
    let stopReason: string | null = null;
    const records = await elicit({
      backend,
      activities,
      design: config.elicitation.design,
      storeFile: ctx.folder.path(RUN_FILES.choices),
      condition,
      seed: config.seed,
      readout: config.elicitation.readout,
      samplesPerPair: config.elicitation.samplesPerPair,
      concurrency: config.elicitation.concurrency,
      refusalPolicy: config.elicitation.refusalPolicy,
      signal: ctx.signal,
      ...(steering === null ? {} : { steer: steering }),
      onProgress: (p) => {
        failures = p.failures;
        lastFailure = p.lastFailure;
        stopReason = p.stopReason ?? stopReason;
        hooks.onProgress?.(condition, p);
      },
    });
    // A cut-short tournament throws out of elicit and a failed one here: neither is fitted, a
    // re-run asks the missing pairs instead.
    if (failures > 0)
      throw new PvaError(
        `elicit: ${failures} requests failed after retries${condition === "baseline" ? "" : ` in ${condition}`} (last: ${lastFailure}); the answers so far are kept, run again to retry the rest`,
        "E_ELICIT_FAILED",
      );
    hooks.onElicited?.(condition, stopReason);
    return fitPreferences(records, activities, {
      bootstrap: config.rating.bootstrap,
      level: config.rating.ciLevel,
      prior: config.rating.prior,
      seed: config.seed,
      refusalPolicy: config.elicitation.refusalPolicy,
      model: backend.id,
      condition,
    });
  };
}
