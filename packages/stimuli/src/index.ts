export { loadAffectWords } from "./affect-words.js";
export { afinnSentiment, SENTIMENT_LEXICON } from "./afinn-sentiment.js";
export {
  type CorpusProblem,
  type CorpusRules,
  checkCorpus,
  defaultCorpusRules,
} from "./checks.js";
export { type Corpus, loadCorpus, loadStoryFile } from "./corpus.js";
export {
  type SentimentSeparation,
  sentimentSeparation,
} from "./sentiment-separation.js";
export {
  type GenerateStoriesOptions,
  generateStories,
  rejectStory,
  type StoryAttempt,
  storyTopics,
} from "./story-generation.js";
