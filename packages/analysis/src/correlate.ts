import {
  type CorrelationResult,
  createRng,
  type EmotionCorrelation,
  type EmotionVectorsMeta,
  findEmotion,
  type HumanNorms,
  type PreferenceScores,
  type ProbeScores,
  PvaError,
} from "@pva/core";
import { SENTIMENT_LEXICON } from "@pva/stimuli";
import { sentimentScores } from "./sentiment.js";
import { bootstrapPearsonCis } from "./stats/bootstrap.js";
import { pearson, spearman } from "./stats/correlation.js";
import { benjaminiHochberg } from "./stats/fdr.js";
import { partialPearson } from "./stats/partial.js";
import { permutationPValues } from "./stats/permutation.js";

export interface CorrelateOptions {
  /** Which probe layer; default the first in `probes`. */
  layer?: number;
  bootstrap: number;
  permutations: number;
  seed: number;
  /** Bootstrap interval coverage; default 0.95. */
  level?: number;
  /** Emotion vectors' metadata: their PC1 loadings are the valence when no norms are given. */
  vectorsMeta?: EmotionVectorsMeta | null;
  /** Human valence ratings; preferred over PC1 when given. */
  valenceNorms?: HumanNorms | null;
}

/**
 * Per emotion, how the probe score of an activity tracks the model's preference for it (Elo),
 * across the activities both files share: Pearson r with a percentile bootstrap interval
 * (resampling activities), Spearman rho, a two-sided permutation p (shuffling Elo), BH q over
 * emotions, and the partial r controlling for the activity text's lexicon sentiment. Then, across
 * emotions, the correlation of r with each emotion's valence.
 */
export function correlate(
  preferences: PreferenceScores,
  probes: ProbeScores,
  opts: CorrelateOptions,
): CorrelationResult {
  const layerScores =
    opts.layer === undefined ? probes.layers[0] : probes.layers.find((l) => l.layer === opts.layer);
  if (!layerScores)
    throw new PvaError(
      `probes.json: layers: no layer ${opts.layer ?? ""} (have ${probes.layers.map((l) => l.layer).join(", ")})`,
      "E_LAYER",
    );
  const byId = new Map(preferences.activities.map((a) => [a.id, a]));
  const rowsOfActivities = probes.activities.flatMap((id, row) => (byId.has(id) ? [{ id, row }] : []));
  if (rowsOfActivities.length < 3)
    throw new PvaError(
      `probes.json: activities: only ${rowsOfActivities.length} activities are also in preferences.json (need 3)`,
      "E_TOO_FEW_ACTIVITIES",
    );
  const activities = rowsOfActivities.map(({ id }) => byId.get(id)!);
  const elo = activities.map((a) => a.elo);
  const sentiment = sentimentScores(activities);
  const sentimentVector = activities.map((a) => sentiment[a.id]);
  const probeRows = probes.emotions.map((_, e) =>
    rowsOfActivities.map(({ row }) => layerScores.scores[row][e]),
  );

  const rng = createRng(opts.seed).fork("correlate");
  const level = opts.level ?? 0.95;
  const cis = bootstrapPearsonCis(probeRows, elo, {
    resamples: opts.bootstrap,
    level,
    rng: rng.fork("bootstrap"),
  });
  const pValues = permutationPValues(probeRows, elo, {
    permutations: opts.permutations,
    rng: rng.fork("permutation"),
  });
  // An undefined correlation has a NaN p, which BH leaves out of the number of tests.
  const qValues = benjaminiHochberg(pValues);
  const valence = emotionValences(probes.emotions, layerScores.layer, opts);
  const eloConstant = elo.every((x) => x === elo[0]);

  const emotions = probes.emotions.map((emotion, e): EmotionCorrelation => {
    const shared = {
      emotion,
      cluster: findEmotion(emotion)?.cluster ?? "unknown",
      valence: valence?.values[e] ?? null,
    };
    const r = pearson(probeRows[e], elo);
    // A constant side carries no information about the other: report "no evidence" in numbers
    // JSON and the schema accept (NaN would be written as null), and say why.
    if (Number.isNaN(r))
      return {
        ...shared,
        pearson: 0,
        pearsonCi: [0, 0],
        spearman: 0,
        pPermutation: 1,
        q: 1,
        partialPearson: 0,
        note: `${eloConstant ? "Elo" : "probe score"} is constant across activities: no correlation`,
      };
    return {
      ...shared,
      pearson: r,
      pearsonCi: opts.bootstrap === 0 ? null : cis[e],
      spearman: spearman(probeRows[e], elo),
      pPermutation: pValues[e],
      q: qValues[e],
      partialPearson: partialPearson(probeRows[e], elo, sentimentVector),
    };
  });

  let valenceSummary: CorrelationResult["valence"] = null;
  if (valence) {
    const paired = emotions.filter((e) => e.valence !== null && e.note === undefined);
    const rs = paired.map((e) => e.pearson);
    const valences = paired.map((e) => e.valence!);
    const r = pearson(rs, valences);
    // Resamples emotions, each with its r and valence; the r values themselves are taken as
    // measured (their own activity-level uncertainty is not propagated).
    const ci: [number, number] =
      paired.length >= 3 && opts.bootstrap > 0 && !Number.isNaN(r)
        ? bootstrapPearsonCis([rs], valences, {
            resamples: opts.bootstrap,
            level,
            rng: rng.fork("valence-bootstrap"),
          })[0]
        : [r, r];
    // One emotion, or every r undefined (a model that always answers "A"): no r to report.
    if (Number.isFinite(r)) valenceSummary = { source: valence.source, r, ci, n: paired.length };
  }

  return {
    layer: layerScores.layer,
    readout: probes.readout,
    activities: activities.length,
    bootstrap: opts.bootstrap,
    permutations: opts.permutations,
    seed: opts.seed,
    emotions,
    valence: valenceSummary,
    sentiment: { lexicon: SENTIMENT_LEXICON, scores: sentiment },
  };
}

/** Human norms when given (emotions without a rating get null), else the vectors' oriented PC1 loading. */
function emotionValences(
  emotions: readonly string[],
  layer: number,
  opts: CorrelateOptions,
): { source: "pc1" | "norms"; values: (number | null)[] } | null {
  if (opts.valenceNorms) {
    const rated = new Map(opts.valenceNorms.norms.map((n) => [n.emotion, n.valence]));
    return { source: "norms", values: emotions.map((e) => rated.get(e) ?? null) };
  }
  const geometry = opts.vectorsMeta?.geometry[String(layer)];
  if (!geometry) return null;
  const loading = new Map(geometry.loadings.map((l) => [l.emotion, l.pc1]));
  return { source: "pc1", values: emotions.map((e) => loading.get(e) ?? null) };
}
