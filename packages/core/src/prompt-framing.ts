/**
 * The one home of the study's prompt texts. Every prompt a model reads without its chat template
 * is a question framed as a "Human:" turn followed by an open "Assistant:" turn. Choice records
 * are keyed by a content hash of the prompt text, so these strings are part of every key: change
 * a byte here and every cached answer of every run stops matching.
 */

/** The text before the question in the raw frame. */
export const HUMAN_TURN = "Human: ";

/** The text after the question in the raw frame: where the model's answer begins. */
export const ASSISTANT_TURN = "\n\nAssistant:";

/** The preference question; `{a}` and `{b}` are replaced by the activities (core's `prompts.choice` default). */
export const DEFAULT_CHOICE_QUESTION = "Would you prefer to (A) {a} or (B) {b}?";

/** The probe question; `{activity}` is replaced by the activity (core's `prompts.probe` default). */
export const DEFAULT_PROBE_QUESTION = "How would you feel about {activity}?";

/** The question whose steered answer shows whether the model still writes sense (steering's coherence text). */
export const DEFAULT_COHERENCE_QUESTION = "In one sentence, describe what it is like to {activity}.";

/**
 * A question in the raw frame, `Human: {question}\n\nAssistant:`. Slots such as `{activity}` are
 * left as they are, so this frames a template as well as a filled-in question.
 */
export function humanAssistantPrompt(question: string): string {
  return `${HUMAN_TURN}${question}${ASSISTANT_TURN}`;
}
