import Sentiment from "sentiment";
import type { Corpus } from "./corpus.js";

/** Clusters whose stories a reader would call pleasant and unpleasant, for the model-free check. */
export const positiveClusters = [
  "Exuberant Joy",
  "Peaceful Contentment",
  "Compassionate Gratitude",
  "Playful Amusement",
] as const;
export const negativeClusters = [
  "Hostile Anger",
  "Fear and Overwhelm",
  "Despair and Shame",
  "Depleted Disengagement",
] as const;

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
    positive: pooled(positiveClusters),
    negative: pooled(negativeClusters),
    neutral: mean(corpus.neutral.map((n) => score(n.text))),
    perCluster: Object.fromEntries([...byCluster].map(([cluster, xs]) => [cluster, mean(xs)])),
  };
}
