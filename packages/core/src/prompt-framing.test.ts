import { describe, expect, it } from "vitest";
import {
  ASSISTANT_TURN,
  DEFAULT_CHOICE_QUESTION,
  DEFAULT_PROBE_QUESTION,
  HUMAN_TURN,
  humanAssistantPrompt,
} from "./prompt-framing.js";
import { PromptsConfigSchema } from "./schemas/study-config.js";

// Choice keys are hashes of these exact texts: each expected string is written out by hand, so a
// changed byte in the framing fails here before it silently invalidates every cached answer.
describe("prompt framing", () => {
  it("frames a question as a Human turn followed by an open Assistant turn", () => {
    expect(humanAssistantPrompt("Would you rather nap or run?")).toBe(
      "Human: Would you rather nap or run?\n\nAssistant:",
    );
    // the two halves, for callers that frame a text with spans (prefs' rawPrompt)
    expect(HUMAN_TURN).toBe("Human: ");
    expect(ASSISTANT_TURN).toBe("\n\nAssistant:");
  });

  it("keeps template slots, so the default probe template is the study's probe prompt", () => {
    expect(humanAssistantPrompt(DEFAULT_PROBE_QUESTION)).toBe(
      "Human: How would you feel about {activity}?\n\nAssistant:",
    );
    expect(humanAssistantPrompt(DEFAULT_CHOICE_QUESTION)).toBe(
      "Human: Would you prefer to (A) {a} or (B) {b}?\n\nAssistant:",
    );
  });

  it("gives a study without its own prompts the default questions", () => {
    expect(PromptsConfigSchema.parse({})).toEqual({
      choice: "Would you prefer to (A) {a} or (B) {b}?",
      probe: "How would you feel about {activity}?",
    });
  });
});
