import { PvaError } from "@pva/core";
import type { Model } from "@pva/lm";
import type { PipelineContext } from "./pipeline-context.js";

/**
 * The model whose residual stream the activation stages read. When the choices come from an API,
 * those stages need local weights as well (the study's `model.source`); if they cannot be loaded,
 * the stage is skipped with the reason on one line and the run goes on to report the preferences.
 */
export async function activationModel(ctx: PipelineContext, stage: string): Promise<Model | null> {
  if (ctx.study.config.model.backend === "embedded") return ctx.models.get();
  try {
    return await ctx.models.get();
  } catch (error) {
    if (!(error instanceof PvaError)) throw error;
    ctx.progress.line(`${stage}: skipped, reading activations needs local weights (${error.message})`);
    return null;
  }
}
