import { emotionVectors, saveEmotionVectors } from "@pva/analysis";
import { contentHash, RUN_FILES, writeJsonAtomic } from "@pva/core";
import { modelInfo } from "../model-loader.js";
import type { StageProgress } from "../progress.js";
import { activationFingerprint, activationModel } from "./activation-model.js";
import type { PipelineContext } from "./pipeline-context.js";
import { studyCorpus } from "./study-corpus.js";

/**
 * Reads the emotion vectors from the model's residual stream over the story corpus and writes
 * `vectors.safetensors` (tensors + metadata) and `vectors.json` (the metadata, for people).
 */
export async function vectorsStage(ctx: PipelineContext): Promise<void> {
  const { config, emotions } = ctx.study;
  const corpus = await studyCorpus(config.vectors.corpus);
  const names = emotions.map((e) => e.name);
  const fingerprint = await activationFingerprint(ctx, "vectors");
  if (fingerprint === null) return;
  const inputs = contentHash({
    model: { id: ctx.study.model.id, fingerprint },
    vectors: { ...config.vectors, corpus: corpus.hash },
    emotions: names,
    // Vectors made before the residual norm was measured at every layer lack steering's unit.
    norms: "every-layer",
  });
  if (await ctx.folder.finished("vectors", inputs)) {
    ctx.progress.line("vectors: up to date");
    return;
  }
  const model = await activationModel(ctx, "vectors");
  if (model === null) return;
  const bars: Record<string, StageProgress> = {};
  const ev = await emotionVectors(model, corpus, {
    layers: config.vectors.layers,
    tokenOffset: config.vectors.tokenOffset,
    neutralVarianceShare: config.vectors.neutralVarianceShare,
    storiesPerEmotion: config.vectors.storiesPerEmotion,
    emotions: names,
    signal: ctx.signal,
    onProgress: ({ stage, done, total }) => {
      if (stage === "neutral" && !bars.neutral) bars.stories?.finish();
      bars[stage] ??= ctx.progress.stage(stage === "stories" ? "vectors" : "neutral", "texts");
      bars[stage].update(done, total);
    },
  });
  bars.neutral?.finish(`layers ${ev.meta.layers.join(", ")}`);
  await saveEmotionVectors(ctx.folder.path(RUN_FILES.vectors), ev);
  await writeJsonAtomic(ctx.folder.path(RUN_FILES.vectorsMeta), ev.meta);
  await ctx.folder.finish("vectors", inputs, [RUN_FILES.vectors, RUN_FILES.vectorsMeta], modelInfo(model));
}
