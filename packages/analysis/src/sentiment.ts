import { afinnSentiment } from "@pva/stimuli";

/**
 * Surface sentiment of each activity's text: stimuli's AFINN comparative score (word valences
 * summed and divided by the number of words), so long and short activity phrases are on one scale.
 * This is the control for "is the probe just reading the words' sentiment?".
 */
export function sentimentScores(activities: readonly { id: string; text: string }[]): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const { id, text } of activities) scores[id] = afinnSentiment(text);
  return scores;
}
