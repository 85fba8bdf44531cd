import { clustersOfValence, type VectorGeometry } from "@pva/core";
import { PCA } from "ml-pca";
import { cosine } from "./cosine.js";

/**
 * Principal components have no sign of their own. We orient them by the cluster labels of the
 * reference list (which name the clusters but give no valence or arousal numbers): PC1 is turned so
 * that the pleasant clusters' mean PC1 score (core's clustersOfValence) exceeds the other clusters'
 * (PC1 then reads as valence when it tracks valence), PC2 so that the high-arousal clusters score
 * above the low-arousal ones. When no emotion belongs to a named cluster, a component is turned so
 * its largest-magnitude score is positive.
 */
export const POSITIVE_CLUSTERS: readonly string[] = clustersOfValence("pleasant");
export const HIGH_AROUSAL_CLUSTERS: readonly string[] = [
  "Exuberant Joy",
  "Hostile Anger",
  "Fear and Overwhelm",
];
export const LOW_AROUSAL_CLUSTERS: readonly string[] = ["Peaceful Contentment", "Depleted Disengagement"];

/** How many leading principal-component variance shares are recorded. */
const RECORDED_COMPONENTS = 10;

/**
 * Geometry of one layer's emotion vectors: variance shares of their principal components, each
 * emotion's PC1/PC2 score (oriented as above), and cluster coherence (mean cosine of pairs in the
 * same cluster vs pairs in different clusters; emotions with an unknown cluster are left out).
 */
export function vectorGeometry(
  vectors: readonly ArrayLike<number>[],
  emotions: readonly string[],
  clusters: readonly (string | null)[],
): VectorGeometry {
  const rows = vectors.map((v) => Array.from(v));
  const pca = rows.length >= 2 ? new PCA(rows, { center: true, scale: false }) : null;
  const shares = pca ? pca.getExplainedVariance().slice(0, RECORDED_COMPONENTS) : [];
  const scores = pca?.predict(rows, { nComponents: Math.min(2, shares.length) });
  const column = (k: number) => emotions.map((_, i) => (scores && k < scores.columns ? scores.get(i, k) : 0));
  const pc1 = orient(column(0), clusters, POSITIVE_CLUSTERS, null);
  const pc2 = orient(column(1), clusters, HIGH_AROUSAL_CLUSTERS, LOW_AROUSAL_CLUSTERS);
  return {
    pcShares: shares.map((s) => Math.min(1, Math.max(0, s))),
    loadings: emotions.map((emotion, i) => ({ emotion, pc1: pc1[i], pc2: pc2[i] })),
    clusterCoherence: clusterCoherence(vectors, clusters),
  };
}

function orient(
  scores: number[],
  clusters: readonly (string | null)[],
  high: readonly string[],
  low: readonly string[] | null,
): number[] {
  const inHigh: number[] = [];
  const inLow: number[] = [];
  scores.forEach((s, i) => {
    const cluster = clusters[i];
    if (cluster === null) return;
    if (high.includes(cluster)) inHigh.push(s);
    else if (low === null || low.includes(cluster)) inLow.push(s);
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  let flip: boolean;
  if (inHigh.length > 0 && inLow.length > 0) flip = mean(inHigh) < mean(inLow);
  else {
    const largest = scores.reduce((best, s) => (Math.abs(s) > Math.abs(best) ? s : best), 0);
    flip = largest < 0;
  }
  return flip ? scores.map((s) => -s) : scores;
}

function clusterCoherence(
  vectors: readonly ArrayLike<number>[],
  clusters: readonly (string | null)[],
): { within: number; between: number } {
  let within = 0;
  let withinPairs = 0;
  let between = 0;
  let betweenPairs = 0;
  for (let i = 0; i < vectors.length; i++) {
    if (clusters[i] === null) continue;
    for (let j = i + 1; j < vectors.length; j++) {
      if (clusters[j] === null) continue;
      const c = cosine(vectors[i], vectors[j]);
      if (Number.isNaN(c)) continue;
      if (clusters[i] === clusters[j]) {
        within += c;
        withinPairs++;
      } else {
        between += c;
        betweenPairs++;
      }
    }
  }
  return {
    within: withinPairs ? within / withinPairs : 0,
    between: betweenPairs ? between / betweenPairs : 0,
  };
}
