import type { ChoiceAnswer, ParsedChoice } from "./backends/choice-backend.js";
import { ANSWER_PREFILL } from "./prompts.js";

const REFUSAL =
  /\b(neither|i\s+(can['’]?t|cannot|won['’]?t|will\s+not|would\s+not|wouldn['’]?t|am\s+not\s+able|['’]m\s+not\s+able|do\s+not\s+have|don['’]?t\s+have)|i['’]m\s+not\s+able|as\s+an\s+ai|i['’]?d\s+rather\s+not|declin(e|ing)|not\s+comfortable|both)\b/i;
const EXPLICIT_LABEL = /\((A|B)\)|\b(?:option|choice|choose|prefer|answer\s+is|pick)\s*\(?\s*(A|B)\b/gi;

/**
 * Classifies a sampled answer to "Would you prefer to (A) ... or (B) ...?". Rules, in order:
 *
 * 1. Whitespace, markdown emphasis (`*`, `_`) and quotes are stripped from the start; so is the
 *    "(" prefill when the answer repeats it.
 * 2. A leading label wins: the answer is `A` or `B` alone, or starts with one followed by
 *    punctuation (`A)`, `B.`, `A:`, `B,`, `A -`, `a)`). "A tough choice" is not a label: an
 *    article followed by a word is left to the later rules. (With the "(" prefill, a leading
 *    label is the usual case.)
 * 3. A refusal phrase anywhere makes it a refusal: "neither", "I can't / cannot / won't /
 *    would not / wouldn't / will not", "I'm not able", "I don't have (personal) preferences",
 *    "as an AI", "I'd rather not", "decline", "not comfortable", "both".
 * 4. Exactly one label named explicitly: `(A)`, `option A`, `choice B`, `choose A`, `prefer B`,
 *    `answer is A` -> that label. Both labels named -> unparseable.
 * 5. Anything else (including an empty answer) is unparseable.
 */
export function parseAnswer(text: string): ParsedChoice {
  const stripped = text.replace(/^[\s*_"'“”‘’]+/, "").replace(/^\(\s*/, "");
  const leading = /^(?:([AB])(?:\s*$|[)\].:,;!*_]|\s+[-–—])|([ab])(?:\s*$|\)))/.exec(stripped);
  if (leading) return (leading[1] ?? leading[2]).toUpperCase() as "A" | "B";
  if (REFUSAL.test(stripped)) return "refusal";
  const named = new Set<string>();
  for (const match of stripped.matchAll(EXPLICIT_LABEL)) named.add((match[1] ?? match[2]).toUpperCase());
  if (named.size === 1) return [...named][0] as "A" | "B";
  return "unparseable";
}

/**
 * A sampled reply as a backend's answer: no probabilities, the text classified by parseAnswer.
 * `afterPrefill`: the reply continues the "(" that ended the prompt, so it is parsed with it.
 */
export function sampledAnswer(text: string, afterPrefill: boolean): Omit<ChoiceAnswer, "attempts"> {
  return {
    pA: null,
    pB: null,
    offLabelMass: null,
    rawAnswer: text,
    choice: parseAnswer(afterPrefill ? `${ANSWER_PREFILL}${text}` : text),
  };
}
