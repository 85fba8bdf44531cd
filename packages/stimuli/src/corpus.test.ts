import { EMOTION_CLUSTERS, emotionCatalog } from "@pva/core";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAffectWords } from "./affect-words.js";
import { checkCorpus, defaultCorpusRules } from "./checks.js";
import { type Corpus, loadCorpus } from "./corpus.js";
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
