import type { EmotionCluster } from "./emotions.js";

/** How a cluster of the catalog feels to the one who feels it, as a reader would call it. */
export type ClusterValence = "pleasant" | "unpleasant" | "mixed";

/**
 * A coarse label per cluster name, not a valence number (those come from the model's PC1 or a
 * human-norms file). Used to orient PC1 (pleasant above the rest) and for the corpus' model-free
 * sentiment check (pleasant against unpleasant stories).
 *
 * Competitive Pride is mixed, not pleasant: beside proud, triumphant, valiant and self-confident
 * it holds greedy, spiteful, vengeful and vindictive, which human valence norms put well below
 * the midpoint. Vigilant Suspicion (paranoid, suspicious, vigilant) is mixed too: vigilant is
 * neutral. The sentiment check always left both out; PC1's orientation counted Pride as pleasant
 * until both read this one list.
 */
export const CLUSTER_VALENCE: Readonly<Record<EmotionCluster, ClusterValence>> = Object.freeze({
  "Exuberant Joy": "pleasant",
  "Peaceful Contentment": "pleasant",
  "Compassionate Gratitude": "pleasant",
  "Competitive Pride": "mixed",
  "Playful Amusement": "pleasant",
  "Depleted Disengagement": "unpleasant",
  "Vigilant Suspicion": "mixed",
  "Hostile Anger": "unpleasant",
  "Fear and Overwhelm": "unpleasant",
  "Despair and Shame": "unpleasant",
});

/** The clusters of one valence, in catalog order. */
export function clustersOfValence(valence: ClusterValence): EmotionCluster[] {
  return (Object.keys(CLUSTER_VALENCE) as EmotionCluster[]).filter((c) => CLUSTER_VALENCE[c] === valence);
}
