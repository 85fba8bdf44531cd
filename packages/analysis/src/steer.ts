import {
  type Activity,
  createRng,
  DEFAULT_COHERENCE_QUESTION,
  emotionSlug,
  humanAssistantPrompt,
  type PreferenceScores,
  PvaError,
  type Rng,
  type SteeringResult,
  sha256Hex,
  throwIfInterrupted,
} from "@pva/core";
import { type SteeringVector, type SteerSpec, type TournamentSteering, tokenSpan } from "@pva/lm";
import { eloDifferences, eloShift, type SplitDifferences } from "./elo-shift.js";
import { probePrompt } from "./probe-prompt.js";
import { type ActivationModel, residSite } from "./residual-activations.js";
import { bootstrapPearsonCis } from "./stats/bootstrap.js";
import { pearson } from "./stats/correlation.js";
import { permutationPValue } from "./stats/permutation.js";
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
  /**
   * One layer (a number), or an inclusive range steered at once with `s x norm` at every layer of
   * it; "auto" (default) is the middle third of the depth, a range as in the published study.
   */
  layers?: number | readonly [number, number] | "auto";
  splits: number;
  /** Seeds the splits and the shift intervals. */
  seed: number;
  /** Layers to steer one at a time at the headline strength (split 0); default none. */
  layerSweep?: readonly number[];
  /** Generate a short description of an activity under each strength; default on. */
  coherence?: boolean | { prompt?: string; maxNewTokens?: number };
  /** Interval level; default 0.95. */
  level?: number;
  /** Bootstrap resamples of the shift intervals and of shift-vs-r; default 1000. */
  shiftResamples?: number;
  /** Permutations of the shift-vs-r p; default 1000. */
  permutations?: number;
}

export interface RunSteeringOptions {
  model: SteeringModel;
  activities: readonly Activity[];
  vectors: EmotionVectors;
  plan: SteeringPlan;
  tournament: SteeringTournament;
  /** Probe-preference r per emotion (correlations.json), for the shift-vs-r comparison. */
  probeR?: Readonly<Record<string, number>>;
  /**
   * Checked before each tournament and each coherence text: once it fires, the one in flight
   * finishes and InterruptedError is thrown. The tournament should stop on it too (pass it to
   * `elicit`), or it runs to its end first.
   */
  signal?: AbortSignal;
}

/** The coherence text's prompt: core's coherence question in the raw Human/Assistant frame. */
const COHERENCE_PROMPT = humanAssistantPrompt(DEFAULT_COHERENCE_QUESTION);
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
  const range: readonly [number, number] =
    plan.layers === undefined || plan.layers === "auto"
      ? middleLayers(numLayers)
      : typeof plan.layers === "number"
        ? [plan.layers, plan.layers]
        : plan.layers;
  if (range[0] > range[1] || range[1] >= numLayers)
    throw new PvaError(
      `steering.layers: [${range[0]}, ${range[1]}] is not a range inside 0..${numLayers - 1}`,
      "E_LAYER",
    );
  const rangeLayers = Array.from({ length: range[1] - range[0] + 1 }, (_, i) => range[0] + i);
  const sweep = [...(plan.layerSweep ?? [])];
  const outside = sweep.find((layer) => layer >= numLayers);
  if (outside !== undefined)
    throw new PvaError(`steering.layerSweep: layer ${outside} is not inside 0..${numLayers - 1}`, "E_LAYER");
  const norms = steeringUnit(vectors, [...new Set([...rangeLayers, ...sweep])]);
  for (const emotion of plan.emotions)
    if (!vectors.meta.emotions.includes(emotion))
      throw new PvaError(`steering.emotions: "${emotion}" has no emotion vector`, "E_EMOTION");
  const rng = createRng(plan.seed).fork("steering");
  const splits = stratifiedSplits(activities, plan.splits, rng.fork("splits"));
  const level = plan.level ?? 0.95;
  const resamples = plan.shiftResamples ?? 1000;
  const headline = plan.strengths[0];
  const checkSignal = () => throwIfInterrupted(opts.signal, "steer");
  checkSignal();
  const baseline = await tournament("baseline", null);

  const lastNorm = norms.get(range[1])!;
  const rangeNorm = rangeLayers.reduce((sum, layer) => sum + norms.get(layer)!, 0);
  const result: SteeringResult = {
    layers: [range[0], range[1]],
    splits: plan.splits,
    dose: {
      mode: range[0] === range[1] ? "layer" : "range",
      meanResidNorm: Object.fromEntries(rangeLayers.map((layer) => [String(layer), norms.get(layer)!])),
      strengths: plan.strengths.map((strength) => ({
        strength,
        totalAddedNorm: Math.abs(strength) * rangeNorm,
        relativeToLastLayerNorm: (Math.abs(strength) * rangeNorm) / lastNorm,
      })),
    },
    effects: [],
    summary: [],
    doseResponse: [],
    layerSweep: [],
    shiftVsR: null,
    coherence: [],
  };

  // Every split of one steering (emotion, strength, layers): one tournament each, pooled.
  const steerSplits = async (
    emotion: string,
    strength: number,
    layers: readonly number[],
    onSplit?: (split: number, differences: SplitDifferences) => void,
  ) => {
    const vectorsAt = emotionSteering(vectors, emotion, layers, strength, norms);
    const perSplit: SplitDifferences[] = [];
    for (const [k, steeredIds] of splits.entries()) {
      const condition = conditionId(emotion, strength, [layers[0], layers.at(-1)!], k, vectorsAt);
      checkSignal();
      const fit = await tournament(condition, { activityIds: steeredIds, vectors: vectorsAt });
      const differences = eloDifferences(baseline, fit, steeredIds);
      perSplit.push(differences);
      onSplit?.(k, differences);
    }
    const key = `${emotion}:${strength}:${layers[0]}-${layers.at(-1)}`;
    return eloShift(perSplit, { resamples, level, rng: rng.fork(`ci:${key}`) });
  };

  for (const emotion of plan.emotions) {
    for (const strength of plan.strengths) {
      const pooled = await steerSplits(emotion, strength, rangeLayers, (split, differences) =>
        result.effects.push({
          emotion,
          strength,
          split,
          ...eloShift([differences], {
            resamples,
            level,
            rng: rng.fork(`ci:${emotion}:${strength}:${split}`),
          }),
        }),
      );
      result.doseResponse.push({ emotion, strength, shift: pooled.shift, ci: pooled.ci });
      if (strength === headline)
        result.summary.push({ emotion, strength, ...pooled, r: opts.probeR?.[emotion] ?? null });
    }
    for (const layer of sweep) {
      const { shift, ci } = await steerSplits(emotion, headline, [layer]);
      result.layerSweep.push({ emotion, layer, shift, ci });
    }
    if (plan.coherence !== false) {
      const settings = typeof plan.coherence === "object" ? plan.coherence : {};
      const activity = activities.find((a) => splits[0].has(a.id)) ?? activities[0];
      for (const strength of plan.strengths) {
        checkSignal();
        result.coherence.push({
          emotion,
          strength,
          activity: activity.id,
          text: await describeUnderSteering(
            model,
            activity.text,
            emotionSteering(vectors, emotion, rangeLayers, strength, norms),
            settings,
          ),
        });
      }
    }
  }

  result.shiftVsR = shiftVsR(result.summary, {
    resamples,
    permutations: plan.permutations ?? 1000,
    level,
    rng: rng.fork("shift-vs-r"),
  });
  return result;
}

/**
 * Across emotions: does the causal shift follow the correlational r? Pearson r of the headline
 * shift against r, a percentile bootstrap interval that resamples emotions, and a permutation p
 * that shuffles r across emotions. Needs 3 emotions with r and spread on both sides (otherwise r
 * is undefined and the comparison is left out).
 */
export function shiftVsR(
  summary: readonly { shift: number; r: number | null }[],
  opts: { resamples: number; permutations: number; level: number; rng: Rng },
): SteeringResult["shiftVsR"] {
  const paired = summary.filter((s): s is { shift: number; r: number } => s.r !== null);
  const shifts = paired.map((s) => s.shift);
  const rs = paired.map((s) => s.r);
  const r = pearson(shifts, rs);
  if (paired.length < 3 || Number.isNaN(r)) return null;
  const ci =
    opts.resamples > 0
      ? bootstrapPearsonCis([shifts], rs, {
          resamples: opts.resamples,
          level: opts.level,
          rng: opts.rng.fork("bootstrap"),
        })[0]
      : ([r, r] as [number, number]);
  const p = permutationPValue(shifts, rs, {
    permutations: opts.permutations,
    rng: opts.rng.fork("permutation"),
  });
  // A zero shift or a zero r has no sign, so it agrees with nothing.
  const agree = paired.filter((s) => s.shift * s.r > 0).length;
  return {
    r,
    ci,
    p,
    resamples: opts.resamples,
    signAgreement: { agree, of: paired.length },
    n: paired.length,
  };
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
  if (row < 0) throw new PvaError(`steering.emotions: "${emotion}" has no emotion vector`, "E_EMOTION");
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
 * The unit of strength at each layer: the mean residual norm the vectors' metadata records, measured
 * over the same story texts and token window as the vectors (`emotionVectors` measures it at every
 * layer). Vectors without it for a steered layer (imported ones) are refused rather than given a
 * unit measured on other texts, which would make strengths mean different things in different runs.
 */
function steeringUnit(vectors: EmotionVectors, layers: readonly number[]): Map<number, number> {
  const norms = new Map<number, number>();
  for (const layer of [...layers].sort((a, b) => a - b)) {
    const recorded = vectors.meta.meanResidNorm[String(layer)];
    if (recorded === undefined || !(recorded > 0))
      throw new PvaError(
        `steering: the emotion vectors record no mean residual norm at layer ${layer} (the unit of strength); build them with pva vectors, which measures every layer, or add meanResidNorm["${layer}"] to their metadata`,
        "E_CONFIG",
      );
    norms.set(layer, recorded);
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
  const prompt = probePrompt(settings.prompt ?? COHERENCE_PROMPT, activity);
  const { ids, offsets } = model.tokenizer.encodeWithOffsets(prompt.text);
  const { start } = tokenSpan(offsets, prompt.span);
  const steer: SteerSpec[] = steering.map((s) => ({
    ...s,
    positions: { start, end: Number.MAX_SAFE_INTEGER },
  }));
  const { text } = await model.generate(ids, {
    maxNewTokens: settings.maxNewTokens ?? COHERENCE_TOKENS,
    steer,
  });
  return text;
}
