import { emotionCatalog, type NeutralRecord, type StoryRecord } from "@pva/core";
import type { Corpus } from "./corpus.js";

/** One way the corpus falls short of its own rules, tied to the record that breaks it. */
export interface CorpusProblem {
  check:
    | "count"
    | "length"
    | "forbidden-word"
    | "missing-relatives"
    | "topic"
    | "person"
    | "duplicate"
    | "unknown-emotion"
    | "duplicate-id"
    | "neutral-affect";
  id: string;
  message: string;
}

export interface CorpusRules {
  storiesPerEmotion: number;
  minWords: number;
  maxWords: number;
  /** Jaccard similarity of word 3-shingles at or above which two texts count as near-duplicates. */
  maxShingleJaccard: number;
  /** Words that no neutral text may contain, on top of every emotion word and relative. */
  affectWords: readonly string[];
}

export const defaultCorpusRules: Omit<CorpusRules, "affectWords"> = {
  storiesPerEmotion: 6,
  minWords: 60,
  maxWords: 160,
  maxShingleJaccard: 0.3,
};

export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/**
 * A matcher for a word family. Letters on either side end the match, so "ease" does not hit
 * "disease" but does hit "ease," "ease's" and "ease-filled".
 */
export function wordFamilyPattern(words: readonly string[]): RegExp {
  const escaped = [...words]
    .sort((a, b) => b.length - a.length)
    .map((w) =>
      w
        .trim()
        .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
        .replace(/\s+/g, "\\s+"),
    );
  return new RegExp(`(?<![\\p{L}])(?:${escaped.join("|")})(?![\\p{L}])`, "iu");
}

/** Runs every check; an empty list means the corpus keeps all its rules. */
export function checkCorpus(corpus: Corpus, rules: CorpusRules): CorpusProblem[] {
  return [
    ...checkIds(corpus),
    ...checkStories(corpus, rules),
    ...checkNeutral(corpus.neutral, corpus, rules),
    ...findNearDuplicates([...corpus.stories, ...corpus.neutral], rules.maxShingleJaccard),
  ];
}

function checkIds(corpus: Corpus): CorpusProblem[] {
  const seen = new Set<string>();
  const problems: CorpusProblem[] = [];
  for (const { id } of [...corpus.stories, ...corpus.neutral]) {
    if (seen.has(id)) problems.push({ check: "duplicate-id", id, message: `id ${id} is used twice` });
    seen.add(id);
  }
  return problems;
}

function checkStories(corpus: Corpus, rules: CorpusRules): CorpusProblem[] {
  const problems: CorpusProblem[] = [];
  const byEmotion = new Map<string, StoryRecord[]>();
  const clusterOf = new Map(emotionCatalog.map((e) => [e.name, e.cluster]));
  for (const story of corpus.stories) {
    const cluster = clusterOf.get(story.emotion);
    if (cluster === undefined || cluster !== story.cluster) {
      problems.push({
        check: "unknown-emotion",
        id: story.id,
        message: `emotion "${story.emotion}" in cluster "${story.cluster}" is not in the catalog`,
      });
      continue;
    }
    byEmotion.set(story.emotion, [...(byEmotion.get(story.emotion) ?? []), story]);
  }

  for (const { name } of emotionCatalog) {
    const stories = byEmotion.get(name) ?? [];
    if (stories.length < rules.storiesPerEmotion) {
      problems.push({
        check: "count",
        id: name,
        message: `${name}: ${stories.length} stories, expected at least ${rules.storiesPerEmotion}`,
      });
    }
    const family = corpus.relatives[name];
    if (family === undefined) {
      problems.push({ check: "missing-relatives", id: name, message: `${name}: no forbidden word list` });
    }
    const forbidden = wordFamilyPattern([name, ...(family ?? [])]);
    const topics = new Set<string>();
    const persons = new Set<string>();
    for (const story of stories) {
      const words = wordCount(story.text);
      if (words < rules.minWords || words > rules.maxWords) {
        problems.push({
          check: "length",
          id: story.id,
          message: `${words} words, expected ${rules.minWords} to ${rules.maxWords}`,
        });
      }
      const hit = forbidden.exec(story.text);
      if (hit)
        problems.push({ check: "forbidden-word", id: story.id, message: `names the emotion: "${hit[0]}"` });
      if (topics.has(story.topic)) {
        problems.push({
          check: "topic",
          id: story.id,
          message: `topic "${story.topic}" repeats within ${name}`,
        });
      }
      topics.add(story.topic);
      persons.add(story.person);
    }
    if (stories.length > 1 && persons.size < 2) {
      problems.push({
        check: "person",
        id: name,
        message: `${name}: every story is told in the same person`,
      });
    }
  }
  return problems;
}

function checkNeutral(
  neutral: readonly NeutralRecord[],
  corpus: Corpus,
  rules: CorpusRules,
): CorpusProblem[] {
  const emotionWords = emotionCatalog.flatMap((e) => [e.name, ...(corpus.relatives[e.name] ?? [])]);
  const pattern = wordFamilyPattern([...emotionWords, ...rules.affectWords]);
  const problems: CorpusProblem[] = [];
  for (const record of neutral) {
    const words = wordCount(record.text);
    if (words < rules.minWords || words > rules.maxWords) {
      problems.push({
        check: "length",
        id: record.id,
        message: `${words} words, expected ${rules.minWords} to ${rules.maxWords}`,
      });
    }
    const hit = pattern.exec(record.text);
    if (hit)
      problems.push({ check: "neutral-affect", id: record.id, message: `contains affect word "${hit[0]}"` });
  }
  return problems;
}

function shingles(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  const out = new Set<string>();
  for (let i = 0; i + 2 < words.length; i++) out.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  return out;
}

/**
 * Pairs whose word 3-shingle sets overlap at or above the threshold. An inverted index keeps
 * this linear in the number of shared shingles rather than quadratic in the number of texts.
 */
export function findNearDuplicates(
  records: readonly { id: string; text: string }[],
  maxJaccard: number,
): CorpusProblem[] {
  const sets = records.map((r) => shingles(r.text));
  const postings = new Map<string, number[]>();
  sets.forEach((set, i) => {
    for (const s of set) {
      const list = postings.get(s);
      if (list) list.push(i);
      else postings.set(s, [i]);
    }
  });
  const shared = new Map<number, number>();
  for (const list of postings.values()) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const key = list[x] * records.length + list[y];
        shared.set(key, (shared.get(key) ?? 0) + 1);
      }
    }
  }
  const problems: CorpusProblem[] = [];
  for (const [key, common] of shared) {
    const i = Math.floor(key / records.length);
    const j = key % records.length;
    const jaccard = common / (sets[i].size + sets[j].size - common);
    if (jaccard >= maxJaccard) {
      problems.push({
        check: "duplicate",
        id: records[j].id,
        message: `near-duplicate of ${records[i].id} (shingle Jaccard ${jaccard.toFixed(2)})`,
      });
    }
  }
  return problems;
}
