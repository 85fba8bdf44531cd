import type { Activity } from "@pva/core";
import { describe, expect, it } from "vitest";
import { choiceQuestion, rawPrompt, wrapPrompt } from "./prompts.js";

/** The study's raw prompt, verbatim; the model's next token after "(" is its answer. */
const RAW_TEMPLATE = "Human: Would you prefer to (A) {a} or (B) {b}?\n\nAssistant: (";

const a: Activity = { id: "a", text: "explain complex scientific concepts", category: "Helpful" };
const b: Activity = { id: "b", text: "sort a pile of receipts", category: "Neutral" };

describe("prompts", () => {
  it("renders the study's raw format exactly", () => {
    const prompt = rawPrompt(a, b);
    expect(prompt.text).toBe(RAW_TEMPLATE.replace("{a}", a.text).replace("{b}", b.text));
    expect(prompt.text).toBe(
      "Human: Would you prefer to (A) explain complex scientific concepts or (B) sort a pile of receipts?\n\nAssistant: (",
    );
  });

  it("gives character spans that point at each activity's text", () => {
    const prompt = wrapPrompt("<user>", choiceQuestion(a, b), "</user>(");
    expect(prompt.text.slice(...prompt.spans.a)).toBe(a.text);
    expect(prompt.text.slice(...prompt.spans.b)).toBe(b.text);
    const raw = rawPrompt(a, b);
    expect(raw.text.slice(...raw.spans.b)).toBe(b.text);
  });

  it("fills a study's own question, whatever the order of its slots", () => {
    const q = choiceQuestion(a, b, "Pick one: {b} (B) or {a} (A)?");
    expect(q.text).toBe(`Pick one: ${b.text} (B) or ${a.text} (A)?`);
    expect(q.text.slice(...q.spans.a)).toBe(a.text);
    expect(q.text.slice(...q.spans.b)).toBe(b.text);
  });
});
