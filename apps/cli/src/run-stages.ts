import { throwIfInterrupted } from "@pva/core";
import { checkStudy } from "./check-study.js";
import { asStageInterruption } from "./interrupt.js";
import { ModelLoader } from "./model-loader.js";
import { openStudy } from "./open-study.js";
import { ProgressReporter } from "./progress.js";
import { RunFolder } from "./run-folder.js";
import { manifestStage, refreshManifestArtifacts } from "./stages/manifest-stage.js";
import type { PipelineContext, RunFolderContext } from "./stages/pipeline-context.js";
import type { Stage, StageName } from "./stages/study-stages.js";
import type { StudyOptions } from "./study-options.js";

/** A stage that needs only the run folder (the report), so it also runs on a folder without its study. */
export type RunFolderStage = { name: StageName; run: (ctx: RunFolderContext) => Promise<void> };

/**
 * The one stage loop: each stage in order (each skips itself when its result is already there),
 * stopping between stages on Ctrl-C, then the manifest as the folder now is.
 */
async function runEach<C extends RunFolderContext>(
  ctx: C,
  stages: readonly { name: StageName; run: (ctx: C) => Promise<void> }[],
): Promise<void> {
  for (const stage of stages) {
    throwIfInterrupted(ctx.signal, stage.name);
    await stage.run(ctx).catch((error: unknown) => {
      throw asStageInterruption(error, stage.name);
    });
  }
  await ctx.writeManifest();
}

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
  const ctx: PipelineContext = {
    study,
    folder,
    models,
    progress,
    signal,
    writeManifest: (include) => manifestStage(ctx, include),
  };
  try {
    await runEach(ctx, stages);
    return ctx;
  } finally {
    await folder.close();
    await models.dispose();
    await folder.removeIfEmpty();
  }
}

/**
 * Runs stages that need only the run folder on an existing one, without its study: the same
 * loop, the folder locked as a run locks it, the manifest the run wrote kept but for its artifact
 * list. The folder is the user's and is never removed, even when nothing was recorded in it.
 */
export async function runStagesOnFolder(
  dir: string,
  stages: readonly RunFolderStage[],
  signal: AbortSignal,
): Promise<RunFolderContext> {
  const folder = await RunFolder.open(dir);
  const ctx: RunFolderContext = {
    folder,
    progress: new ProgressReporter(),
    signal,
    writeManifest: (include) => refreshManifestArtifacts(folder, include),
  };
  try {
    await runEach(ctx, stages);
    return ctx;
  } finally {
    await folder.close();
  }
}
