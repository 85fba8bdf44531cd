import {
  type Activity,
  createRng,
  type Design as DesignConfig,
  emotionSlug,
  type PreferenceScores,
  PvaError,
  type SteeringResult,
  sha256Hex,
} from "@pva/core";
import { type SteerSpec, tokenSpan } from "@pva/lm";
import {
  type ChoiceBackend,
  type ChoiceSteering,
  type Design,
  elicit,
  fitPreferences,
  type Readout,
  type RefusalPolicy,
} from "@pva/prefs";
import { eloDifferences, eloShift, type SplitDifferences } from "./elo-shift.js";
import { DEFAULT_PROBE_TEMPLATE, probePrompt } from "./probe-prompt.js";
import { type ActivationModel, meanResidualActivations, residSite } from "./residual-activations.js";
import { pearson } from "./stats/correlation.js";
import { stratifiedSplits } from "./steering-splits.js";
import { unitRows } from "./unit-rows.js";
import { type EmotionVectors, vectorRow } from "./vectors.js";

/** A model that can also generate text under steering (for the coherence guard). */
export interface SteeringModel extends ActivationModel {
  generate(
    tokens: number[],
    opts: { maxNewTokens: number; temperature?: number; seed?: number; steer?: SteerSpec[] },
  ): Promise<{ tokens: number[]; text: string }>;
}

export interface RunSteeringOptions {
  model: SteeringModel;
  /** A steering-capable backend over the same model (prefs' embedded backend). */
  backend: ChoiceBackend;
  activities: readonly Activity[];
  vectors: EmotionVectors;
  /** The unsteered tournament's fit, made with the same `seed` and `rating`. */
  baseline: PreferenceScores;
  emotions: readonly string[];
  /** Multiples of the mean residual norm at each steered layer; the first is the headline strength. */
  strengths: readonly number[];
  /** Inclusive layer range steered at once; "auto" (default) is the middle third of the depth. */
  layers?: readonly [number, number] | "auto";
  splits: number;
  seed: number;
  /** The run's choice store; each steering condition keeps its own records there. */
  storeFile: string;
  elicitation: {
    design: DesignConfig | Design;
    readout?: Readout;
    samplesPerPair: number;
    concurrency: number;
    refusalPolicy: RefusalPolicy;
  };
  rating: { bootstrap: number; level?: number; prior?: number };
  /** Probe-preference r per emotion (correlations.json), for the shift-vs-r comparison. */
  probeR?: Readonly<Record<string, number>>;
  /** Layers to steer one at a time at the headline strength (split 0); default none. */
  layerSweep?: readonly number[];
  /** Generate a short description of an activity under each strength; default on. */
  coherence?: boolean | { prompt?: string; maxNewTokens?: number };
  /** Bootstrap resamples of the shift intervals; default 1000. */
  shiftResamples?: number;
  signal?: AbortSignal;
  onProgress?: (p: { condition: string; done: number; total: number }) => void;
  /** Each steering condition's preference fit, as soon as it is made (e.g. to save or report it). */
  onConditionFit?: (fit: PreferenceScores, steeredIds: ReadonlySet<string>) => void;
}

export const DEFAULT_COHERENCE_PROMPT =
  "Human: In one sentence, describe what it is like to {activity}.\n\nAssistant:";
const COHERENCE_TOKENS = 32;

/** The middle third of the depth: where the study found steering works best. */
export function middleLayers(numLayers: number): [number, number] {
  const from = Math.floor(numLayers / 3);
  return [from, Math.max(from, Math.ceil((2 * numLayers) / 3) - 1)];
}

/**
 * The causal test. For each emotion and strength, and each of several stratified steered/control
 * splits, the emotion's unit vector is added (scaled by strength x the layer's mean residual norm)
 * on the steered activities' tokens at every layer of the range, the tournament is re-run through
 * prefs, and Elo changes are compared with the unsteered baseline.
 */
export async function runSteering(opts: RunSteeringOptions): Promise<SteeringResult> {
  const { model, vectors, activities } = opts;
  const { numLayers } = model.config;
  const range = opts.layers === undefined || opts.layers === "auto" ? middleLayers(numLayers) : opts.layers;
  if (range[0] > range[1] || range[1] >= numLayers)
    throw new PvaError(
      `steering.layers: [${range[0]}, ${range[1]}] is not a range inside 0..${numLayers - 1}`,
      "bad-layers",
    );
  if (!opts.backend.capabilities.steering)
    throw new PvaError(`${opts.backend.id}: steering needs the embedded backend`, "E_CONFIG");
  const rangeLayers = Array.from({ length: range[1] - range[0] + 1 }, (_, i) => range[0] + i);
  const sweep = [...(opts.layerSweep ?? [])];
  const outside = sweep.find((layer) => layer >= numLayers);
  if (outside !== undefined)
    throw new PvaError(
      `steering.layerSweep: layer ${outside} is not inside 0..${numLayers - 1}`,
      "bad-layers",
    );
  const norms = await residualNorms(model, vectors, activities, [...new Set([...rangeLayers, ...sweep])]);
  const rng = createRng(opts.seed).fork("steering");
  const splits = stratifiedSplits(activities, opts.splits, rng.fork("splits"));
  const level = opts.rating.level ?? 0.95;
  const resamples = opts.shiftResamples ?? 1000;
  const headline = opts.strengths[0];

  const tournament = async (condition: string, steer: ChoiceSteering) => {
    const records = await elicit({
      backend: opts.backend,
      activities,
      design: opts.elicitation.design,
      storeFile: opts.storeFile,
      condition,
      seed: opts.seed,
      readout: opts.elicitation.readout,
      samplesPerPair: opts.elicitation.samplesPerPair,
      concurrency: opts.elicitation.concurrency,
      refusalPolicy: opts.elicitation.refusalPolicy,
      signal: opts.signal,
      steer,
      onProgress: (p) => opts.onProgress?.({ condition, done: p.done, total: p.total }),
    });
    const fit = fitPreferences(records, activities, {
      bootstrap: opts.rating.bootstrap,
      seed: opts.seed,
      level,
      prior: opts.rating.prior,
      refusalPolicy: opts.elicitation.refusalPolicy,
      model: opts.backend.id,
      condition,
    });
    opts.onConditionFit?.(fit, steer.activityIds);
    return fit;
  };

  const result: SteeringResult = {
    layers: [range[0], range[1]],
    splits: opts.splits,
    effects: [],
    summary: [],
    doseResponse: [],
    layerSweep: [],
    shiftVsR: null,
    coherence: [],
  };

  for (const emotion of opts.emotions) {
    const steerVectors = (layers: readonly number[], strength: number) =>
      emotionSteering(vectors, emotion, layers, strength, norms);
    for (const strength of opts.strengths) {
      const perSplit: SplitDifferences[] = [];
      for (const [k, steeredIds] of splits.entries()) {
        const vectorsAt = steerVectors(rangeLayers, strength);
        const condition = conditionId(emotion, strength, range, k, vectorsAt);
        const fit = await tournament(condition, { activityIds: steeredIds, vectors: vectorsAt });
        const differences = eloDifferences(opts.baseline, fit, steeredIds);
        perSplit.push(differences);
        result.effects.push({
          emotion,
          strength,
          split: k,
          ...eloShift([differences], { resamples, level, rng: rng.fork(`ci:${emotion}:${strength}:${k}`) }),
        });
      }
      const pooled = eloShift(perSplit, { resamples, level, rng: rng.fork(`ci:${emotion}:${strength}`) });
      result.doseResponse.push({ emotion, strength, shift: pooled.shift, ci: pooled.ci });
      if (strength === headline)
        result.summary.push({
          emotion,
          strength,
          shift: pooled.shift,
          ci: pooled.ci,
          r: opts.probeR?.[emotion] ?? null,
        });
    }
    for (const layer of sweep) {
      const vectorsAt = steerVectors([layer], headline);
      const condition = conditionId(emotion, headline, [layer, layer], 0, vectorsAt);
      const fit = await tournament(condition, { activityIds: splits[0], vectors: vectorsAt });
      const differences = eloDifferences(opts.baseline, fit, splits[0]);
      const { shift } = eloShift([differences], { resamples: 0, level, rng });
      result.layerSweep.push({ emotion, layer, shift });
    }
    if (opts.coherence !== false) {
      const settings = typeof opts.coherence === "object" ? opts.coherence : {};
      const activity = activities.find((a) => splits[0].has(a.id)) ?? activities[0];
      for (const strength of opts.strengths)
        result.coherence.push({
          emotion,
          strength,
          activity: activity.id,
          text: await describeUnderSteering(
            model,
            activity.text,
            steerVectors(rangeLayers, strength),
            settings,
          ),
        });
    }
  }

  // Across emotions: does the causal shift follow the correlational r? Needs 3 emotions and some
  // spread on both sides (otherwise r is undefined and the comparison is left out).
  const paired = result.summary.filter((s) => s.r !== null);
  const shiftR = pearson(
    paired.map((s) => s.shift),
    paired.map((s) => s.r!),
  );
  if (!Number.isNaN(shiftR)) {
    const agree = paired.filter((s) => Math.sign(s.shift) === Math.sign(s.r!)).length;
    result.shiftVsR = { r: shiftR, signAgreement: agree / paired.length, n: paired.length };
  }
  return result;
}

/**
 * The emotion's unit vector at each steered layer, scaled by strength x that layer's mean residual
 * norm. A layer with no vectors of its own uses the nearest layer that has them (vectors are
 * usually read at one layer and applied over a range, as in the study).
 */
function emotionSteering(
  vectors: EmotionVectors,
  emotion: string,
  layers: readonly number[],
  strength: number,
  norms: ReadonlyMap<number, number>,
): { site: string; vector: Float32Array; scale: number }[] {
  const row = vectors.meta.emotions.indexOf(emotion);
  if (row < 0) throw new PvaError(`steering.emotions: "${emotion}" has no emotion vector`, "missing-emotion");
  const hidden = vectors.meta.hiddenSize;
  return layers.map((layer) => {
    const source = nearestLayer(vectors.meta.layers, layer);
    const unit = unitRows(vectorRow(vectors.vectors.get(source)!, hidden, row), hidden)[0];
    return { site: residSite(layer), vector: Float32Array.from(unit), scale: strength * norms.get(layer)! };
  });
}

function nearestLayer(available: readonly number[], layer: number): number {
  return available.reduce(
    (best, l) => (Math.abs(l - layer) < Math.abs(best - layer) ? l : best),
    available[0],
  );
}

/** Everything that changes a steered answer goes into the condition id, which keys its records. */
function conditionId(
  emotion: string,
  strength: number,
  range: readonly [number, number],
  split: number,
  steering: readonly { site: string; vector: Float32Array; scale: number }[],
): string {
  const digest = sha256Hex(
    JSON.stringify(steering.map((s) => ({ site: s.site, scale: s.scale, vector: Array.from(s.vector) }))),
  ).slice(0, 12);
  return `steer:${emotionSlug(emotion)}:s${strength}:L${range[0]}-${range[1]}:split${split}:${digest}`;
}

/**
 * Mean residual norms: from the vectors' metadata where recorded, else measured on the activities'
 * probe prompts (positions after the first, which is usually BOS and far larger than the rest).
 */
async function residualNorms(
  model: ActivationModel,
  vectors: EmotionVectors,
  activities: readonly Activity[],
  layers: readonly number[],
): Promise<Map<number, number>> {
  const norms = new Map<number, number>();
  const missing: number[] = [];
  for (const layer of layers) {
    const recorded = vectors.meta.meanResidNorm[String(layer)];
    if (recorded !== undefined) norms.set(layer, recorded);
    else missing.push(layer);
  }
  if (missing.length > 0) {
    const prompts = activities.map((a) => probePrompt(DEFAULT_PROBE_TEMPLATE, a.text).text);
    const measured = await meanResidualActivations(model, prompts, { layers: missing, tokenOffset: 1 });
    for (const layer of missing) norms.set(layer, measured.meanNorm.get(layer)!);
  }
  return norms;
}

/**
 * Coherence guard: greedy continuation of a request to describe the activity, with the vectors
 * added from the activity's first token through every generated token, so a reader sees where
 * the text degrades as strength grows.
 */
async function describeUnderSteering(
  model: SteeringModel,
  activity: string,
  steering: readonly { site: string; vector: Float32Array; scale: number }[],
  settings: { prompt?: string; maxNewTokens?: number },
): Promise<string> {
  const prompt = probePrompt(settings.prompt ?? DEFAULT_COHERENCE_PROMPT, activity);
  const { ids, offsets } = model.tokenizer.encodeWithOffsets(prompt.text);
  const { start } = tokenSpan(offsets, prompt.span);
  const steer: SteerSpec[] = steering.map((s) => ({
    site: s.site,
    vector: s.vector,
    scale: s.scale,
    positions: { start, end: Number.MAX_SAFE_INTEGER },
  }));
  const { text } = await model.generate(ids, {
    maxNewTokens: settings.maxNewTokens ?? COHERENCE_TOKENS,
    steer,
  });
  return text;
}
