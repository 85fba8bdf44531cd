import { type ModelSource, PvaError } from "@pva/core";
import { loadModel, type Model, modelFingerprint, type QuantizeType } from "@pva/lm";
import { pvaCommand } from "./help-examples.js";
import type { ProgressReporter, StageProgress } from "./progress.js";
import type { ModelInfo } from "./run-folder.js";

/** Weights at least this large get a load progress bar. */
const LOAD_BAR_BYTES = 200e6;

/** The three ways forward when the study's model cannot be fetched, spelled as the user runs pva. */
const offlineWaysOut = () =>
  `ways out: --model <folder or .gguf>, --endpoint <OpenAI-compatible URL>, or experiments/smoke on random weights (${pvaCommand()} run experiments/smoke)`;

/** A hub error reworded for a user who has no network: what failed and the ways out, in one line. */
function offlineError(error: PvaError): PvaError {
  const cause = error.message.split(";")[0];
  return new PvaError(`cannot fetch the model: ${cause}. ${offlineWaysOut()}`, error.code);
}

export function modelInfo(model: Model): ModelInfo {
  return {
    id: model.id,
    hash: model.hash,
    builtinRandom: model.builtinRandom,
    randomWeights: model.randomWeights,
    architecture: model.config.architecture,
  };
}

/**
 * Loads the study's model the first time a stage needs it (a resumed run whose stages are all
 * done never loads it), showing download progress (or, for a builtin random model's first use,
 * the progress of writing its weights), and frees it at the end.
 */
export class ModelLoader {
  private loading: Promise<Model> | undefined;
  private fingerprinting: Promise<string> | undefined;

  constructor(
    readonly source: ModelSource,
    private readonly progress: ProgressReporter,
    private readonly opts: { quantize?: QuantizeType } = {},
  ) {}

  get(): Promise<Model> {
    this.loading ??= this.load();
    return this.loading;
  }

  /**
   * The model's fingerprint (see modelFingerprint): what a stage that asks the model adds to its
   * up-to-date check, so weights replaced in place or a hub revision that moved re-run it. Cheap:
   * nothing is loaded or downloaded.
   */
  fingerprint(): Promise<string> {
    this.fingerprinting ??= modelFingerprint(this.source).catch((error: unknown) => {
      if (error instanceof PvaError && error.code === "E_HUB_UNREACHABLE") throw offlineError(error);
      throw error;
    });
    return this.fingerprinting;
  }

  private async load(): Promise<Model> {
    let download: StageProgress | undefined;
    let reading: StageProgress | undefined;
    const loaded = new Map<string, number>();
    const totals = new Map<string, number>();
    try {
      const model = await loadModel(this.source, {
        quantize: this.opts.quantize,
        onProgress: ({ file, loaded: bytes, total }) => {
          const builtin = this.source.kind === "builtin";
          if (!download && builtin)
            this.progress.line(
              `${this.source.id}: writing its random weights into the cache (first use only)`,
            );
          download ??= this.progress.stage(builtin ? "write model" : "download", "MB");
          loaded.set(file, bytes);
          totals.set(file, total);
          const mb = (xs: Map<string, number>) =>
            Math.round([...xs.values()].reduce((s, x) => s + x, 0) / 1e6);
          download.update(mb(loaded), mb(totals));
        },
        // Small models load in a blink; a bar only for those worth watching.
        onLoadProgress: ({ loaded: bytes, total }) => {
          if (total < LOAD_BAR_BYTES) return;
          reading ??= this.progress.stage("load", "MB");
          reading.update(Math.round(bytes / 1e6), Math.round(total / 1e6));
        },
      });
      download?.finish(this.source.id);
      reading?.finish(this.source.id);
      return model;
    } catch (error) {
      if (error instanceof PvaError && error.code === "E_HUB_UNREACHABLE") throw offlineError(error);
      throw error;
    }
  }

  async dispose(): Promise<void> {
    if (!this.loading) return;
    const model = await this.loading.catch(() => undefined);
    await model?.dispose();
  }
}
