import { throwIfInterrupted } from "@pva/core";
import { checkStudy } from "./check-study.js";
import { asStageInterruption } from "./interrupt.js";
import { ModelLoader } from "./model-loader.js";
import { openStudy } from "./open-study.js";
import { ProgressReporter } from "./progress.js";
import { RunFolder } from "./run-folder.js";
import { manifestStage } from "./stages/manifest-stage.js";
import type { PipelineContext } from "./stages/pipeline-context.js";
import type { Stage } from "./stages/study-stages.js";
import type { StudyOptions } from "./study-options.js";

/**
 * Opens the study and its run folder (locked), runs the stages in order (each skipped when its
 * result is already there), refreshes the manifest, and always releases the folder and the model.
 */
export async function runStages(
  studyPath: string,
  opts: StudyOptions,
  stages: readonly Stage[],
  signal: AbortSignal,
): Promise<PipelineContext> {
  const study = await openStudy(studyPath, opts);
  // Before the folder is made or a model loaded: a config mistake costs nothing.
  await checkStudy(
    study,
    stages.map((stage) => stage.name),
  );
  const progress = new ProgressReporter();
  const folder = await RunFolder.open(study.runDir);
  const models = new ModelLoader(study.model, progress, { quantize: study.config.model.quantize });
  const ctx: PipelineContext = { study, folder, models, progress, signal };
  try {
    for (const stage of stages) {
      throwIfInterrupted(signal, stage.name);
      await stage.run(ctx).catch((error: unknown) => {
        throw asStageInterruption(error, stage.name);
      });
    }
    await manifestStage(ctx);
    return ctx;
  } finally {
    await folder.close();
    await models.dispose();
    await folder.removeIfEmpty();
  }
}
