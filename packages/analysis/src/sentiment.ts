import Sentiment from "sentiment";

/** Which lexicon scored the activity texts, as recorded in correlations.json. */
export const SENTIMENT_LEXICON = "AFINN-165 via the sentiment npm package, comparative score (sum / words)";

/**
 * Surface sentiment of each activity's text: AFINN word valences summed and divided by the number
 * of words, so long and short activity phrases are on one scale. This is the control for "is the
 * probe just reading the words' sentiment?".
 */
export function sentimentScores(activities: readonly { id: string; text: string }[]): Record<string, number> {
  const analyzer = new Sentiment();
  const scores: Record<string, number> = {};
  for (const { id, text } of activities) scores[id] = analyzer.analyze(text).comparative;
  return scores;
}
