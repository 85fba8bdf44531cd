import { loadEmotionVectors, probeScores } from "@pva/analysis";
import { contentHash, humanAssistantPrompt, RUN_FILES, writeJsonAtomic } from "@pva/core";
import { activationFingerprint, activationModel } from "./activation-model.js";
import type { PipelineContext } from "./pipeline-context.js";
import { hasInput } from "./stage-input.js";

/** Projects each activity's probe-prompt activations on each emotion vector into `probes.json`. */
export async function probeStage(ctx: PipelineContext): Promise<void> {
  const { config, activities } = ctx.study;
  if (!(await hasInput(ctx, "probe", RUN_FILES.vectors))) return;
  const fingerprint = await activationFingerprint(ctx, "probe");
  if (fingerprint === null) return;
  const inputs = contentHash({
    model: { id: ctx.study.model.id, fingerprint },
    vectors: await ctx.folder.fileHash(RUN_FILES.vectors),
    activities,
    readout: config.probe.readout,
    template: humanAssistantPrompt(config.prompts.probe),
  });
  if (await ctx.folder.finished("probe", inputs)) {
    ctx.progress.line("probe: up to date");
    return;
  }
  const model = await activationModel(ctx, "probe");
  if (model === null) return;
  const vectors = await loadEmotionVectors(ctx.folder.path(RUN_FILES.vectors));
  const bar = ctx.progress.stage("probe", "activities");
  const probes = await probeScores(model, vectors, activities, {
    readout: config.probe.readout,
    template: humanAssistantPrompt(config.prompts.probe),
    signal: ctx.signal,
    onProgress: ({ done, total }) => bar.update(done, total),
  });
  bar.finish();
  await writeJsonAtomic(ctx.folder.path(RUN_FILES.probes), probes);
  await ctx.folder.finish("probe", inputs, [RUN_FILES.probes]);
}
