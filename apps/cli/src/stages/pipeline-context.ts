import type { ModelLoader } from "../model-loader.js";
import type { OpenedStudy } from "../open-study.js";
import type { ProgressReporter } from "../progress.js";
import type { RunFolder } from "../run-folder.js";

/** What every stage works with: the study, its run folder, the (lazily loaded) model, progress, Ctrl-C. */
export interface PipelineContext {
  study: OpenedStudy;
  folder: RunFolder;
  models: ModelLoader;
  progress: ProgressReporter;
  signal: AbortSignal;
}
