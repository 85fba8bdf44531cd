import {
  type Activity,
  createRng,
  emotionSlug,
  type PreferenceScores,
  PvaError,
  type SteeringResult,
  sha256Hex,
} from "@pva/core";
import type { SteerSpec } from "@pva/lm";
import { eloDifferences, eloShift, type SplitDifferences } from "./elo-shift.js";
import { DEFAULT_PROBE_TEMPLATE, probePrompt, tokenSpan } from "./probe-prompt.js";
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

/** One vector added to the residual stream at a hook site, `scale` times its unit direction. */
export interface SteeringVector {
  site: string;
  vector: Float32Array;
  scale: number;
}

/**
 * What one steered tournament adds: the vectors, on the tokens of the steered activities only.
 * It has the shape of prefs' `ChoiceSteering`, so a caller passes it to `elicit` as it is.
 */
export interface TournamentSteering {
  activityIds: ReadonlySet<string>;
  vectors: SteeringVector[];
}

/**
 * Runs the whole preference tournament under a condition id (which keys its records) and fits it.
 * `null` steering is the unsteered baseline. The caller owns elicitation and fitting, so analysis
 * needs no backend code; every call must use the same design, seed and fit settings, so that the
 * conditions differ only by the added vectors.
 */
export type SteeringTournament = (
  condition: string,
  steering: TournamentSteering | null,
) => Promise<PreferenceScores>;

/** The study's steering section, plus the seed and interval level it runs with. */
export interface SteeringPlan {
  emotions: readonly string[];
  /** Multiples of the mean residual norm at each steered layer; the first is the headline strength. */
  strengths: readonly number[];
  /** Inclusive layer range steered at once; "auto" (default) is the middle third of the depth. */
  layers?: readonly [number, number] | "auto";
  splits: number;
  /** Seeds the splits and the shift intervals. */
  seed: number;
  /** Layers to steer one at a time at the headline strength (split 0); default none. */
  layerSweep?: readonly number[];
  /** Generate a short description of an activity under each strength; default on. */
  coherence?: boolean | { prompt?: string; maxNewTokens?: number };
  /** Interval level; default 0.95. */
  level?: number;
  /** Bootstrap resamples of the shift intervals; default 1000. */
  shiftResamples?: number;
}

export interface RunSteeringOptions {
  model: SteeringModel;
  activities: readonly Activity[];
  vectors: EmotionVectors;
  plan: SteeringPlan;
  tournament: SteeringTournament;
  /** Probe-preference r per emotion (correlations.json), for the shift-vs-r comparison. */
  probeR?: Readonly<Record<string, number>>;
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
 * on the steered activities' tokens at every layer of the range, the caller's tournament is re-run
 * under that steering, and Elo changes are compared with the same tournament unsteered.
 */
export async function runSteering(opts: RunSteeringOptions): Promise<SteeringResult> {
  const { model, vectors, activities, plan, tournament } = opts;
  const { numLayers } = model.config;
  const range = plan.layers === undefined || plan.layers === "auto" ? middleLayers(numLayers) : plan.layers;
  if (range[0] > range[1] || range[1] >= numLayers)
    throw new PvaError(
      `steering.layers: [${range[0]}, ${range[1]}] is not a range inside 0..${numLayers - 1}`,
      "bad-layers",
    );
  const rangeLayers = Array.from({ length: range[1] - range[0] + 1 }, (_, i) => range[0] + i);
  const sweep = [...(plan.layerSweep ?? [])];
  const outside = sweep.find((layer) => layer >= numLayers);
  if (outside !== undefined)
    throw new PvaError(
      `steering.layerSweep: layer ${outside} is not inside 0..${numLayers - 1}`,
      "bad-layers",
    );
  const norms = await residualNorms(model, vectors, activities, [...new Set([...rangeLayers, ...sweep])]);
  const rng = createRng(plan.seed).fork("steering");
  const splits = stratifiedSplits(activities, plan.splits, rng.fork("splits"));
  const level = plan.level ?? 0.95;
  const resamples = plan.shiftResamples ?? 1000;
  const headline = plan.strengths[0];
  const baseline = await tournament("baseline", null);

  const result: SteeringResult = {
    layers: [range[0], range[1]],
    splits: plan.splits,
    effects: [],
    summary: [],
    doseResponse: [],
    layerSweep: [],
    shiftVsR: null,
    coherence: [],
  };

  for (const emotion of plan.emotions) {
    const steerVectors = (layers: readonly number[], strength: number) =>
      emotionSteering(vectors, emotion, layers, strength, norms);
    for (const strength of plan.strengths) {
      const perSplit: SplitDifferences[] = [];
      for (const [k, steeredIds] of splits.entries()) {
        const vectorsAt = steerVectors(rangeLayers, strength);
        const condition = conditionId(emotion, strength, range, k, vectorsAt);
        const fit = await tournament(condition, { activityIds: steeredIds, vectors: vectorsAt });
        const differences = eloDifferences(baseline, fit, steeredIds);
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
      const differences = eloDifferences(baseline, fit, splits[0]);
      const { shift } = eloShift([differences], { resamples: 0, level, rng });
      result.layerSweep.push({ emotion, layer, shift });
    }
    if (plan.coherence !== false) {
      const settings = typeof plan.coherence === "object" ? plan.coherence : {};
      const activity = activities.find((a) => splits[0].has(a.id)) ?? activities[0];
      for (const strength of plan.strengths)
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
): SteeringVector[] {
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
  steering: readonly SteeringVector[],
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
  steering: readonly SteeringVector[],
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
