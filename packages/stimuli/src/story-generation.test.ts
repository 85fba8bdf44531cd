import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Emotion, InterruptedError } from "@pva/core";
import { describe, expect, it } from "vitest";
import { generateStories, rejectStory, storyPrompt } from "./story-generation.js";

const emotions: Emotion[] = [
  { name: "calm", cluster: "Peaceful Contentment" },
  { name: "furious", cluster: "Hostile Anger" },
];

// A deterministic "model": the first attempt for "furious" names the emotion, the retry does not.
function writer(calls: string[]) {
  return async (prompt: string, attempt: number): Promise<string> => {
    calls.push(`${attempt}:${prompt}`);
    const words = Array.from({ length: 90 }, (_, i) => `word${i}`).join(" ");
    return prompt.includes("feels furious") && attempt === 0 ? `She was furious. ${words}` : words;
  };
}

describe("storyPrompt", () => {
  it("names topic, voice and the emotion, and forbids the word", () => {
    const prompt = storyPrompt("calm", "travel", "third");
    expect(prompt).toContain("about travel, in the third person");
    expect(prompt).toContain('Never use the word "calm"');
  });
});

describe("rejectStory", () => {
  it("rejects short stories and stories that name the emotion or a relative", () => {
    const long = Array.from({ length: 80 }, () => "x").join(" ");
    expect(rejectStory("too short", "calm", [], 60, 160)).toBe("2 words, expected 60 to 160");
    expect(rejectStory(`${long} calmly`, "calm", ["calmly"], 60, 160)).toBe('names the emotion: "calmly"');
    expect(rejectStory(long, "calm", ["calmly"], 60, 160)).toBeNull();
  });
});

describe("generateStories", () => {
  it("retries rejected stories, gives distinct topics, and resumes without asking again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pva-stories-"));
    const storeFile = join(dir, "attempts.jsonl");
    const calls: string[] = [];
    const opts = { model: "test", emotions, perEmotion: 3, relatives: {}, storeFile, seed: 7 };
    const stories = await generateStories({ ...opts, write: writer(calls) });

    expect(stories).toHaveLength(6);
    expect(calls).toHaveLength(6 + 3); // each "furious" story needed one retry
    expect(new Set(stories.filter((s) => s.emotion === "calm").map((s) => s.topic)).size).toBe(3);
    expect(stories.map((s) => s.person)).toEqual(["first", "third", "first", "first", "third", "first"]);
    const stored = (await readFile(storeFile, "utf8")).trim().split("\n");
    expect(stored).toHaveLength(9);

    const again: string[] = [];
    const resumed = await generateStories({ ...opts, write: writer(again) });
    expect(again).toHaveLength(0);
    expect(resumed).toEqual(stories);
  });

  it("stops after the story in flight when the signal fires, and a re-run resumes from the record", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pva-stories-abort-"));
    const storeFile = join(dir, "attempts.jsonl");
    const controller = new AbortController();
    const calls: string[] = [];
    const write = writer(calls);
    const opts = { model: "test", emotions, perEmotion: 3, relatives: {}, storeFile, seed: 7 };
    const stopped = generateStories({
      ...opts,
      signal: controller.signal,
      // The second story aborts while it is being written: it is still recorded, nothing after it is asked.
      write: async (prompt, attempt) => {
        if (calls.length === 1) controller.abort();
        return write(prompt, attempt);
      },
    });
    await expect(stopped).rejects.toBeInstanceOf(InterruptedError);
    expect(calls).toHaveLength(2);
    expect((await readFile(storeFile, "utf8")).trim().split("\n")).toHaveLength(2);

    const again: string[] = [];
    const resumed = await generateStories({ ...opts, write: writer(again) });
    expect(resumed).toHaveLength(6);
    expect(again).toHaveLength(9 - 2);
  });

  it("writes nothing and opens no store when the signal fired before the call", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pva-stories-pre-"));
    const storeFile = join(dir, "attempts.jsonl");
    const controller = new AbortController();
    controller.abort();
    const calls: string[] = [];
    await expect(
      generateStories({
        model: "test",
        emotions,
        perEmotion: 3,
        relatives: {},
        storeFile,
        seed: 7,
        signal: controller.signal,
        write: writer(calls),
      }),
    ).rejects.toMatchObject({ code: "E_INTERRUPTED", stage: "stories generate" });
    expect(calls).toHaveLength(0);
    await expect(readFile(storeFile, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  });
});
