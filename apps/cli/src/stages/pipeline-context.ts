import type { RunManifest } from "@pva/core";
import type { ModelLoader } from "../model-loader.js";
import type { OpenedStudy } from "../open-study.js";
import type { ProgressReporter } from "../progress.js";
import type { RunFolder } from "../run-folder.js";

/**
 * What a stage that works on a run folder's files alone needs: the folder, progress, Ctrl-C and
 * the manifest. The report stage is one, so `pva report <run folder>` runs it without the study
 * the folder came from (which may have moved or changed since).
 */
export interface RunFolderContext {
  folder: RunFolder;
  progress: ProgressReporter;
  signal: AbortSignal;
  /**
   * Writes `manifest.json` listing the artifacts `include` admits (all when left out) and returns
   * it. With the study open it is written from the study; for a run folder alone, the run's own
   * manifest gets its artifact list re-taken (the rest, written by the run, stays), and a folder
   * without a manifest keeps having none (null).
   */
  writeManifest(include?: (file: string) => boolean): Promise<RunManifest | null>;
}

/** What every stage of a study works with: the study, its run folder, the (lazily loaded) model, progress, Ctrl-C. */
export interface PipelineContext extends RunFolderContext {
  study: OpenedStudy;
  models: ModelLoader;
  writeManifest(include?: (file: string) => boolean): Promise<RunManifest>;
}
