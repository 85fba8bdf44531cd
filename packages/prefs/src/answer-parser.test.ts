import { describe, expect, it } from "vitest";
import { parseAnswer } from "./answer-parser.js";

describe("parseAnswer", () => {
  it.each([
    ["A", "A"],
    ["B) because it sounds fun", "B"],
    ["(A) explain science", "A"],
    ["  **B**. I would enjoy that", "B"],
    ["a)", "A"],
    ["A - definitely", "A"],
    ["B, since", "B"],
    ["I would choose option B.", "B"],
    ["My answer is (A).", "A"],
    ["I prefer A over the other.", "A"],
  ])("reads %j as %s", (text, expected) => {
    expect(parseAnswer(text)).toBe(expected);
  });

  it.each([
    ["I can't choose between these.", "refusal"],
    ["Neither, to be honest.", "refusal"],
    ["As an AI, I don't have preferences.", "refusal"],
    ["I'd rather not pick (A) or (B).", "refusal"],
    ["I would not want to do either", "refusal"],
  ])("reads %j as a refusal", (text, expected) => {
    expect(parseAnswer(text)).toBe(expected);
  });

  it.each([
    [""],
    ["   "],
    ["A tough choice; let me think."],
    ["Hmm, interesting question."],
    ["Option A sounds good but option B is better"],
  ])("reads %j as unparseable", (text) => {
    expect(parseAnswer(text)).toBe("unparseable");
  });
});
