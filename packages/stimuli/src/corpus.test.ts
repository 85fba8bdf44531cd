import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMOTION_CLUSTERS, emotionCatalog } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAffectWords } from "./affect-words.js";
import { checkCorpus, defaultCorpusRules } from "./checks.js";
import { type Corpus, loadCorpus, loadStoryFile } from "./corpus.js";
import { sentimentSeparation } from "./sentiment-separation.js";

// These tests hold the shipped corpus to its own rules; the figures they print go in the README.
let corpus: Corpus;
beforeAll(async () => {
  corpus = await loadCorpus();
});

describe("the shipped corpus", () => {
  it("covers every emotion of every cluster and has the neutral texts", () => {
    const emotions = new Set(corpus.stories.map((s) => s.emotion));
    expect(emotions.size).toBe(emotionCatalog.length);
    expect(new Set(corpus.stories.map((s) => s.cluster)).size).toBe(EMOTION_CLUSTERS.length);
    expect(corpus.stories.length).toBeGreaterThanOrEqual(171 * 6);
    expect(corpus.neutral.length).toBeGreaterThanOrEqual(150);
    expect(new Set(corpus.neutral.map((n) => n.domain)).size).toBeGreaterThanOrEqual(20);
  });

  it("keeps every rule: lengths, forbidden words, topics, person mix, no near-duplicates", async () => {
    const problems = checkCorpus(corpus, { ...defaultCorpusRules, affectWords: await loadAffectWords() });
    expect(problems.map((p) => `${p.check} ${p.id}: ${p.message}`)).toEqual([]);
  });

  it("spreads each emotion's stories over distinct topics", () => {
    for (const { name } of emotionCatalog) {
      const topics = corpus.stories.filter((s) => s.emotion === name).map((s) => s.topic);
      expect(new Set(topics).size, name).toBe(topics.length);
    }
  });

  it("reads as more positive in pleasant clusters than unpleasant ones, and neutral near zero", () => {
    const separation = sentimentSeparation(corpus);
    console.log(`sentiment separation: ${JSON.stringify(separation)}`);
    // The stories never name their emotion, so a word lexicon sees only faint traces of it: the
    // per-token scores are small (README: +0.014 vs -0.002), but the ordering must hold.
    expect(separation.positive).toBeGreaterThan(separation.negative + 0.01);
    expect(separation.positive).toBeGreaterThan(0);
    expect(separation.negative).toBeLessThan(0);
    expect(Math.abs(separation.neutral)).toBeLessThan(0.005);
  });

  it("has a hash that changes with the text", () => {
    expect(corpus.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("a story file's lines", () => {
  const story = (id: string) =>
    JSON.stringify({ id, emotion: "calm", cluster: "Peace", topic: "garden", person: "first", text: "x" });
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pva-corpus-lines-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const load = async (text: string) => {
    const file = join(dir, "stories.jsonl");
    await writeFile(file, text);
    return loadStoryFile(file);
  };

  it("skips blank lines and reads a last line without its newline", async () => {
    const stories = await load(`${story("a")}\n\n${story("b")}`);
    expect(stories.map((s) => s.id)).toEqual(["a", "b"]);
  });

  it("rejects a last line cut short, naming it: a corpus is not being appended to, so it is no torn write", async () => {
    await expect(load(`${story("a")}\n\n${story("b").slice(0, 20)}`)).rejects.toThrow(
      /stories\.jsonl:3.*invalid JSON/,
    );
    // An earlier bad line is the one named.
    await expect(load(`${story("a")}\n{"id": 1}\n${story("c").slice(0, 20)}`)).rejects.toThrow(
      /stories\.jsonl:2/,
    );
  });
});
