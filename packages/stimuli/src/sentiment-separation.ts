import { clustersOfValence } from "@pva/core";
import { afinnSentiment, SENTIMENT_LEXICON } from "./afinn-sentiment.js";
import type { Corpus } from "./corpus.js";

export interface SentimentSeparation {
  lexicon: string;
  /** Mean AFINN score per word over each group's texts. */
  positive: number;
  negative: number;
  neutral: number;
  perCluster: Record<string, number>;
}

/**
 * Scores every text with the AFINN-165 lexicon (afinnSentiment). It needs no model, so it
 * catches a corpus whose "joy" stories read no happier than its "despair" stories before anyone
 * spends GPU time on it.
 */
export function sentimentSeparation(corpus: Corpus): SentimentSeparation {
  const mean = (xs: number[]): number =>
    xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length;

  const byCluster = new Map<string, number[]>();
  for (const story of corpus.stories) {
    byCluster.set(story.cluster, [...(byCluster.get(story.cluster) ?? []), afinnSentiment(story.text)]);
  }
  const pooled = (clusters: readonly string[]): number =>
    mean(clusters.flatMap((c) => byCluster.get(c) ?? []));
  return {
    lexicon: SENTIMENT_LEXICON,
    // pleasant against unpleasant clusters by core's catalog; mixed ones (Pride, Suspicion) neither
    positive: pooled(clustersOfValence("pleasant")),
    negative: pooled(clustersOfValence("unpleasant")),
    neutral: mean(corpus.neutral.map((n) => afinnSentiment(n.text))),
    perCluster: Object.fromEntries([...byCluster].map(([cluster, xs]) => [cluster, mean(xs)])),
  };
}
