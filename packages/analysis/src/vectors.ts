import {
  type EmotionVectorsMeta,
  emotionCatalog,
  findEmotion,
  type NeutralRecord,
  PvaError,
  type StoryRecord,
} from "@pva/core";
import { neutralSubspace, projectOut } from "./denoise.js";
import { vectorGeometry } from "./geometry.js";
import { type ActivationModel, defaultLayer, meanResidualActivations } from "./residual-activations.js";

/** Emotion vectors of a model: per layer a row-major [emotions, hidden] matrix, plus their metadata. */
export interface EmotionVectors {
  meta: EmotionVectorsMeta;
  vectors: Map<number, Float32Array>;
}

export interface EmotionVectorsOptions {
  /** Layers to read; default `round(2/3 * numLayers)`. */
  layers?: readonly number[] | "auto";
  /**
   * First token of each story that is averaged. The study skipped 50 tokens of long stories; ours
   * run ~100-130 words (~140 tokens), so 8 skips the BOS attention sink (a huge-norm position) and the
   * opening words before the emotional situation is set up, while keeping ~95% of each story.
   */
  tokenOffset?: number;
  /** Share of neutral-text variance whose principal components are projected out (0 disables). */
  neutralVarianceShare?: number;
  /** Use at most this many stories per emotion (the first by id); null uses all. */
  storiesPerEmotion?: number | null;
  /** Emotions to build, by name; default every emotion that has stories, in catalog order. */
  emotions?: readonly string[];
  onProgress?: (p: { stage: "stories" | "neutral"; done: number; total: number }) => void;
  /** Checked before each text: once it fires, the text in flight finishes and InterruptedError is thrown. */
  signal?: AbortSignal;
}

export const DEFAULT_TOKEN_OFFSET = 8;
export const DEFAULT_NEUTRAL_VARIANCE_SHARE = 0.5;

/** The activations one layer contributes, already averaged per text. */
export interface LayerActivations {
  stories: readonly { emotion: string; activation: ArrayLike<number> }[];
  neutral: readonly ArrayLike<number>[];
}

/**
 * The method at one layer: mean of each emotion's story activations, minus the mean over emotions,
 * then the neutral texts' leading principal components (explaining `neutralVarianceShare` of their
 * variance) projected out. Returns one vector per emotion, in the order of `emotions`.
 */
export function emotionVectorsFromActivations(
  emotions: readonly string[],
  activations: LayerActivations,
  neutralVarianceShare: number,
): { vectors: Float64Array[]; componentsRemoved: number; neutralExplainedShare: number } {
  const hidden = activations.stories[0]?.activation.length ?? 0;
  const sums = new Map(emotions.map((e) => [e, { sum: new Float64Array(hidden), n: 0 }]));
  for (const { emotion, activation } of activations.stories) {
    const acc = sums.get(emotion);
    if (!acc) continue;
    for (let h = 0; h < hidden; h++) acc.sum[h] += activation[h];
    acc.n++;
  }
  const means = emotions.map((emotion) => {
    const { sum, n } = sums.get(emotion)!;
    if (n === 0) throw new PvaError(`corpus: no stories for emotion "${emotion}"`, "E_CORPUS");
    return sum.map((v) => v / n);
  });
  const grand = new Float64Array(hidden);
  for (const m of means) for (let h = 0; h < hidden; h++) grand[h] += m[h] / means.length;
  const subspace = neutralSubspace(activations.neutral, neutralVarianceShare);
  const vectors = means.map((m) =>
    projectOut(
      m.map((v, h) => v - grand[h]),
      subspace.components,
    ),
  );
  return {
    vectors,
    componentsRemoved: subspace.components.length,
    neutralExplainedShare: subspace.explainedShare,
  };
}

/**
 * Emotion vectors of `model` from a story corpus: activations at each layer averaged per story
 * from `tokenOffset`, then `emotionVectorsFromActivations`, plus geometry and the mean residual norm
 * (the unit that steering strengths are given in).
 */
export async function emotionVectors(
  model: ActivationModel,
  corpus: { stories: readonly StoryRecord[]; neutral: readonly NeutralRecord[]; hash: string },
  opts: EmotionVectorsOptions = {},
): Promise<EmotionVectors> {
  const { numLayers, hiddenSize } = model.config;
  const layers =
    opts.layers === undefined || opts.layers === "auto" ? [defaultLayer(numLayers)] : [...opts.layers];
  for (const layer of layers)
    if (!Number.isInteger(layer) || layer < 0 || layer >= numLayers)
      throw new PvaError(
        `vectors.layers: layer ${layer} is outside the model's 0..${numLayers - 1}`,
        "E_LAYER",
      );
  const tokenOffset = opts.tokenOffset ?? DEFAULT_TOKEN_OFFSET;
  const share = opts.neutralVarianceShare ?? DEFAULT_NEUTRAL_VARIANCE_SHARE;
  const stories = selectStories(corpus.stories, opts);
  const emotions = opts.emotions ? [...opts.emotions] : emotionsInCatalogOrder(stories);

  const storyActs = await meanResidualActivations(
    model,
    stories.map((s) => s.text),
    {
      layers,
      tokenOffset,
      // The unit of steering strength at every layer a steering run may use, measured here on
      // the same stories and token window as the vectors.
      normLayers: Array.from({ length: numLayers }, (_, layer) => layer),
      onText: (done, total) => opts.onProgress?.({ stage: "stories", done, total }),
      signal: opts.signal,
    },
  );
  const neutralActs = await meanResidualActivations(
    model,
    corpus.neutral.map((n) => n.text),
    {
      layers,
      tokenOffset,
      onText: (done, total) => opts.onProgress?.({ stage: "neutral", done, total }),
      signal: opts.signal,
    },
  );

  const clusters = emotions.map((e) => findEmotion(e)?.cluster ?? null);
  const vectors = new Map<number, Float32Array>();
  const meta: EmotionVectorsMeta = {
    model: model.id,
    modelHash: model.hash,
    emotions,
    layers,
    hiddenSize,
    corpusHash: corpus.hash,
    tokenOffset,
    neutralVarianceShare: share,
    neutralComponentsRemoved: {},
    meanResidNorm: {},
    geometry: {},
  };
  for (let layer = 0; layer < numLayers; layer++)
    meta.meanResidNorm[String(layer)] = storyActs.meanNorm.get(layer)!;
  for (const layer of layers) {
    const storyMeans = storyActs.means.get(layer)!;
    const result = emotionVectorsFromActivations(
      emotions,
      {
        stories: stories.map((s, i) => ({ emotion: s.emotion, activation: storyMeans[i] })),
        neutral: neutralActs.means.get(layer)!,
      },
      share,
    );
    const matrix = new Float32Array(emotions.length * hiddenSize);
    result.vectors.forEach((v, e) => {
      matrix.set(v, e * hiddenSize);
    });
    vectors.set(layer, matrix);
    meta.neutralComponentsRemoved[String(layer)] = result.componentsRemoved;
    meta.geometry[String(layer)] = vectorGeometry(result.vectors, emotions, clusters);
  }
  return { meta, vectors };
}

function selectStories(stories: readonly StoryRecord[], opts: EmotionVectorsOptions): StoryRecord[] {
  const wanted = opts.emotions ? new Set(opts.emotions) : null;
  const cap = opts.storiesPerEmotion ?? Number.POSITIVE_INFINITY;
  const taken = new Map<string, number>();
  const chosen: StoryRecord[] = [];
  for (const story of [...stories].sort((a, b) => a.id.localeCompare(b.id))) {
    if (wanted && !wanted.has(story.emotion)) continue;
    const n = taken.get(story.emotion) ?? 0;
    if (n >= cap) continue;
    taken.set(story.emotion, n + 1);
    chosen.push(story);
  }
  return chosen;
}

function emotionsInCatalogOrder(stories: readonly StoryRecord[]): string[] {
  const present = new Set(stories.map((s) => s.emotion));
  const known = emotionCatalog.map((e) => e.name).filter((name) => present.has(name));
  const unknown = [...present].filter((name) => !findEmotion(name)).sort();
  return [...known, ...unknown];
}

/** Row `index` of a [rows, hidden] matrix, as a view. */
export function vectorRow(matrix: Float32Array, hidden: number, index: number): Float32Array {
  return matrix.subarray(index * hidden, (index + 1) * hidden);
}
