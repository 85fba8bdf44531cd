import { clustersOfValence } from "@pva/core";
import Sentiment from "sentiment";
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
 * Scores every text with the AFINN-165 lexicon (the `sentiment` package). It needs no model, so it
 * catches a corpus whose "joy" stories read no happier than its "despair" stories before anyone
 * spends GPU time on it.
 */
export function sentimentSeparation(corpus: Corpus): SentimentSeparation {
  const analyzer = new Sentiment();
  const score = (text: string): number => analyzer.analyze(text).comparative;
  const mean = (xs: number[]): number =>
    xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length;

  const byCluster = new Map<string, number[]>();
  for (const story of corpus.stories) {
    byCluster.set(story.cluster, [...(byCluster.get(story.cluster) ?? []), score(story.text)]);
  }
  const pooled = (clusters: readonly string[]): number =>
    mean(clusters.flatMap((c) => byCluster.get(c) ?? []));
  return {
    lexicon: "AFINN-165 (sentiment@5), comparative score",
    // pleasant against unpleasant clusters by core's catalog; mixed ones (Pride, Suspicion) neither
    positive: pooled(clustersOfValence("pleasant")),
    negative: pooled(clustersOfValence("unpleasant")),
    neutral: mean(corpus.neutral.map((n) => score(n.text))),
    perCluster: Object.fromEntries([...byCluster].map(([cluster, xs]) => [cluster, mean(xs)])),
  };
}
