import {
  contentHash,
  createRng,
  type Emotion,
  emotionSlug,
  RunStore,
  type StoryRecord,
  throwIfInterrupted,
} from "@pva/core";
import { wordCount, wordFamilyPattern } from "./checks.js";

/** Topics a generated story may be about; each emotion's stories draw distinct ones. */
export const storyTopics = [
  "work",
  "family",
  "travel",
  "school",
  "health",
  "nature",
  "sport",
  "money",
  "friendship",
  "art",
  "food",
  "home",
  "technology",
  "music",
  "community",
  "science",
] as const;

/** The study's instruction to the model: show the feeling, never name it. */
export function storyPrompt(emotion: string, topic: string, person: "first" | "third"): string {
  const voice = person === "first" ? "in the first person" : "in the third person";
  return [
    `Write a short story (80 to 140 words) about ${topic}, ${voice}, in which the main character feels ${emotion}.`,
    `Show the feeling through the situation, what the character does, their body and their thoughts.`,
    `Never use the word "${emotion}" or any word derived from it, and do not name the emotion in any other way.`,
    "Reply with the story only.",
  ].join(" ");
}

/** One attempt at one story, as kept in the run store so a resumed run never asks twice. */
export interface StoryAttempt {
  key: string;
  emotion: string;
  topic: string;
  person: "first" | "third";
  attempt: number;
  text: string;
  accepted: boolean;
  reason: string | null;
}

export interface GenerateStoriesOptions {
  /** Writes one story for a prompt; `attempt` lets a sampler vary its seed on retries. */
  write: (prompt: string, attempt: number) => Promise<string>;
  model: string;
  emotions: readonly Emotion[];
  perEmotion: number;
  relatives: Readonly<Record<string, readonly string[]>>;
  storeFile: string;
  seed: number;
  maxAttempts?: number;
  minWords?: number;
  maxWords?: number;
  /** Checked before each story the model writes: once it fires, the one in flight is recorded and InterruptedError is thrown. */
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; rejected: number }) => void;
}

/** Why a generated story cannot enter the corpus, or null when it can. */
export function rejectStory(
  text: string,
  emotion: string,
  family: readonly string[],
  minWords: number,
  maxWords: number,
): string | null {
  const words = wordCount(text);
  if (words < minWords || words > maxWords) return `${words} words, expected ${minWords} to ${maxWords}`;
  const hit = wordFamilyPattern([emotion, ...family]).exec(text);
  return hit ? `names the emotion: "${hit[0]}"` : null;
}

/**
 * Has a model write stories for each emotion, validating each with the corpus checks and retrying
 * rejected ones. Every attempt is recorded, so an interrupted run picks up where it stopped.
 */
export async function generateStories(opts: GenerateStoriesOptions): Promise<StoryRecord[]> {
  const { maxAttempts = 3, minWords = 60, maxWords = 160 } = opts;
  if (opts.perEmotion > storyTopics.length) {
    throw new RangeError(`perEmotion is at most ${storyTopics.length}, one story per topic`);
  }
  throwIfInterrupted(opts.signal, "stories generate");
  const store = await RunStore.open<StoryAttempt>(opts.storeFile);
  const rng = createRng(opts.seed).fork("stories");
  const stories: StoryRecord[] = [];
  const total = opts.emotions.length * opts.perEmotion;
  let rejected = 0;
  try {
    for (const emotion of opts.emotions) {
      const topics = rng.fork(emotion.name).shuffle(storyTopics);
      for (let i = 0; i < opts.perEmotion; i++) {
        const topic = topics[i];
        const person = i % 2 === 0 ? "first" : "third";
        for (let attempt = 0; attempt < maxAttempts; attempt++) {
          const key = contentHash({
            model: opts.model,
            emotion: emotion.name,
            topic,
            person,
            attempt,
            seed: opts.seed,
          });
          let record = store.get(key);
          if (record === undefined) {
            throwIfInterrupted(opts.signal, "stories generate");
            const text = (await opts.write(storyPrompt(emotion.name, topic, person), attempt)).trim();
            const reason = rejectStory(
              text,
              emotion.name,
              opts.relatives[emotion.name] ?? [],
              minWords,
              maxWords,
            );
            record = {
              key,
              emotion: emotion.name,
              topic,
              person,
              attempt,
              text,
              accepted: reason === null,
              reason,
            };
            await store.append(record);
          }
          if (record.accepted) {
            stories.push({
              id: `${emotionSlug(emotion.name)}-gen-${String(i + 1).padStart(2, "0")}`,
              emotion: emotion.name,
              cluster: emotion.cluster,
              topic,
              person,
              text: record.text,
            });
            break;
          }
          rejected++;
        }
        opts.onProgress?.({ done: stories.length, total, rejected });
      }
    }
    return stories;
  } finally {
    await store.close();
  }
}
