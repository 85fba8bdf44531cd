import { type Activity, ASSISTANT_TURN, DEFAULT_CHOICE_QUESTION, HUMAN_TURN } from "@pva/core";

/** The answer is prefilled with "(" wherever a backend allows it, so the next token is the label. */
export const ANSWER_PREFILL = "(";

export type PromptTemplate = "raw" | "chat";

/** A prompt text with the character spans [start, end) where each activity's text sits. */
export interface PromptText {
  text: string;
  spans: { a: [number, number]; b: [number, number] };
}

/** The question with the activities filled in (the chat user turn; the raw template wraps it). */
export function choiceQuestion(
  a: Activity,
  b: Activity,
  question: string = DEFAULT_CHOICE_QUESTION,
): PromptText {
  const aAt = question.indexOf("{a}");
  const bAt = question.indexOf("{b}");
  if (aAt < 0 || bAt < 0) throw new RangeError(`question template needs {a} and {b}: ${question}`);
  const slots = [
    { at: aAt, text: a.text, name: "a" as const },
    { at: bAt, text: b.text, name: "b" as const },
  ].sort((x, y) => x.at - y.at);
  let text = "";
  let cursor = 0;
  const spans = { a: [0, 0] as [number, number], b: [0, 0] as [number, number] };
  for (const slot of slots) {
    text += question.slice(cursor, slot.at);
    spans[slot.name] = [text.length, text.length + slot.text.length];
    text += slot.text;
    cursor = slot.at + 3;
  }
  text += question.slice(cursor);
  return { text, spans };
}

/** The question in core's raw Human/Assistant frame, the answer prefilled after a space: `...\n\nAssistant: (`. */
export function rawPrompt(a: Activity, b: Activity, question: string = DEFAULT_CHOICE_QUESTION): PromptText {
  return wrapPrompt(HUMAN_TURN, choiceQuestion(a, b, question), `${ASSISTANT_TURN} ${ANSWER_PREFILL}`);
}

/** Places the question between a before and after text (e.g. a chat template's turn markers), shifting its spans. */
export function wrapPrompt(before: string, question: PromptText, after: string): PromptText {
  const shift = before.length;
  const { a, b } = question.spans;
  return {
    text: `${before}${question.text}${after}`,
    spans: { a: [a[0] + shift, a[1] + shift], b: [b[0] + shift, b[1] + shift] },
  };
}
