import type { StoryRecord } from "@pva/core";
import { describe, expect, it } from "vitest";
import {
  checkCorpus,
  defaultCorpusRules,
  findNearDuplicates,
  wordCount,
  wordFamilyPattern,
} from "./checks.js";
import type { Corpus } from "./corpus.js";

const filler = (n: number, seed: string): string =>
  Array.from({ length: n }, (_, i) => `${seed}${(i * 7919) % 1000}`).join(" ");

describe("wordFamilyPattern", () => {
  const pattern = wordFamilyPattern(["at ease", "ease"]);
  it("matches whole words and phrases, any case, with punctuation or hyphens around", () => {
    expect(pattern.test("She felt At  Ease.")).toBe(true);
    expect(pattern.test("ease-filled afternoon")).toBe(true);
    expect(pattern.test("the ease's weight")).toBe(true);
  });
  it("does not match inside other words", () => {
    expect(pattern.test("a disease of the leaves")).toBe(false);
    expect(pattern.test("easel and paint")).toBe(false);
  });
});

describe("wordCount", () => {
  it("counts words, not punctuation runs", () => {
    expect(wordCount("One, two - three... four!")).toBe(4);
  });
});

describe("findNearDuplicates", () => {
  it("flags a lightly edited copy and leaves distinct texts alone", () => {
    const base = filler(80, "w");
    const edited = base.replace("w0 ", "changed ");
    const problems = findNearDuplicates(
      [
        { id: "a", text: base },
        { id: "b", text: edited },
        { id: "c", text: filler(80, "z") },
      ],
      0.3,
    );
    expect(problems.map((p) => p.id)).toEqual(["b"]);
    expect(problems[0].message).toContain("near-duplicate of a");
  });
});

describe("checkCorpus", () => {
  it("reports each planted fault against the record that has it", () => {
    const story = (id: string, text: string, topic: string, person: "first" | "third"): StoryRecord => ({
      id,
      emotion: "calm",
      cluster: "Peaceful Contentment",
      topic,
      person,
      text,
    });
    const corpus: Corpus = {
      stories: [
        story("calm-01", `${filler(70, "a")} and she was calm`, "work", "first"),
        story("calm-02", filler(20, "b"), "work", "first"),
      ],
      neutral: [{ id: "neutral-001", domain: "geology", text: `${filler(70, "n")} which people love` }],
      relatives: {},
      hash: "test",
    };
    const problems = checkCorpus(corpus, { ...defaultCorpusRules, affectWords: ["love"] });
    const found = (check: string, id: string) => problems.some((p) => p.check === check && p.id === id);
    expect(found("forbidden-word", "calm-01")).toBe(true);
    expect(found("length", "calm-02")).toBe(true);
    expect(found("topic", "calm-02")).toBe(true);
    expect(found("person", "calm")).toBe(true);
    expect(found("count", "calm")).toBe(true);
    expect(found("missing-relatives", "calm")).toBe(true);
    expect(found("count", "blissful")).toBe(true);
    expect(found("neutral-affect", "neutral-001")).toBe(true);
  });
});
