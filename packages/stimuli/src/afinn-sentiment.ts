import Sentiment from "sentiment";

/** Which lexicon and score afinnSentiment gives, as recorded beside its scores (correlations.json). */
export const SENTIMENT_LEXICON = "AFINN-165 via the sentiment npm package, comparative score (sum / words)";

let analyzer: Sentiment | null = null;

/**
 * The surface sentiment of a text: AFINN-165 word valences summed and divided by the number of
 * words (the `sentiment` package's comparative score), so long and short texts are on one scale.
 * It needs no model. The one set-up of the lexicon for the corpus check here and analysis'
 * activity-sentiment control, so both read texts on the same scale.
 */
export function afinnSentiment(text: string): number {
  analyzer ??= new Sentiment();
  return analyzer.analyze(text).comparative;
}
