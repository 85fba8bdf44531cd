import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// What @pva/stimuli exports (values and types), read from src/index.ts by scripts/public-names.mjs.
// Adding a name here is a decision to support it for users and other packages; remove what no
// one outside the package needs instead of exporting it "just in case".
const PUBLIC = [
  "Corpus",
  "CorpusProblem",
  "CorpusRules",
  "GenerateStoriesOptions",
  "SENTIMENT_LEXICON",
  "SentimentSeparation",
  "StoryAttempt",
  "afinnSentiment",
  "checkCorpus",
  "defaultCorpusRules",
  "generateStories",
  "loadAffectWords",
  "loadCorpus",
  "loadStoryFile",
  "rejectStory",
  "sentimentSeparation",
  "storyTopics",
];

const reader = new URL("../../../scripts/public-names.mjs", import.meta.url);

it("exports exactly its public names", async () => {
  const { publicNames } = await import(reader.href);
  expect(await publicNames(fileURLToPath(new URL("./index.ts", import.meta.url)))).toEqual(PUBLIC);
});
