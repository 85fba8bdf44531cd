import { PvaError } from "@pva/core";
import type { Model } from "@pva/lm";
import type { PipelineContext } from "./pipeline-context.js";

/**
 * The model whose residual stream the activation stages read. When the choices come from an API,
 * those stages need local weights as well (the study's `model.source`); if they cannot be loaded,
 * the stage is skipped with the reason on one line and the run goes on to report the preferences.
 */
export async function activationModel(ctx: PipelineContext, stage: string): Promise<Model | null> {
  return withLocalWeights(ctx, stage, () => ctx.models.get());
}

/** The fingerprint of the weights the activation stages read (for their up-to-date checks), or null with the reason said, as activationModel. */
export async function activationFingerprint(ctx: PipelineContext, stage: string): Promise<string | null> {
  return withLocalWeights(ctx, stage, () => ctx.models.fingerprint());
}

async function withLocalWeights<T>(
  ctx: PipelineContext,
  stage: string,
  use: () => Promise<T>,
): Promise<T | null> {
  if (ctx.study.config.model.backend === "embedded") return use();
  try {
    return await use();
  } catch (error) {
    if (!(error instanceof PvaError)) throw error;
    ctx.progress.line(`${stage}: skipped, reading activations needs local weights (${error.message})`);
    return null;
  }
}
