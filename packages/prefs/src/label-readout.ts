/**
 * Reading a choice from a next-token distribution: the probability of the label tokens `A` and
 * `B` renormalised to sum to 1, plus the mass left on every other token. A large off-label mass
 * means the model is not answering the question, so it is reported, never hidden.
 *
 * One rule for every backend (the embedded one applies it to each token of the vocabulary, the
 * HTTP ones to the tokens the server lists), so P(A) depends on the model, not on how it is served.
 */
export type Label = "A" | "B";

export interface LabelReadout {
  pA: number;
  pB: number;
  offLabelMass: number;
  /** The most probable token, as the model's literal answer. */
  topToken: string;
}

/**
 * Which label a token spells, if any: the label alone, or after one leading space written as
 * " " (a decoded token, as APIs list them) or as the vocabulary's own space mark ("Ġ" byte-level
 * BPE, "▁" SentencePiece, as some servers list raw pieces).
 *
 * Why no more: every prompt ends where the label alone is the answer (raw and embedded chat
 * prompts end with the prefilled "(", and a chat API's answer is read at the position where the
 * label was emitted), so a token that merges the label with a parenthesis ("(A", "A)") or sits
 * after a line break is counted nowhere, and its mass is reported as off-label instead of being
 * folded into A or B in a way that depends on which merges a vocabulary happens to have. This is
 * the rule the embedded backend has always used, so its results are unchanged; the HTTP backends,
 * which also took "(A" and "A)", now agree with it.
 */
export function labelOfToken(token: string): Label | null {
  const core = token.replace(/^[ Ġ▁]/u, "");
  return core === "A" || core === "B" ? core : null;
}

/**
 * Renormalises label mass over a (possibly truncated) token distribution. Returns null when
 * neither label appears, e.g. an API's top-k list that holds neither.
 */
export function readLabels(entries: readonly { token: string; probability: number }[]): LabelReadout | null {
  let massA = 0;
  let massB = 0;
  let total = 0;
  let topToken = "";
  let topProbability = -1;
  for (const { token, probability } of entries) {
    total += probability;
    if (probability > topProbability) {
      topProbability = probability;
      topToken = token;
    }
    const label = labelOfToken(token);
    if (label === "A") massA += probability;
    else if (label === "B") massB += probability;
  }
  const labelMass = massA + massB;
  if (!(labelMass > 0)) return null;
  // A truncated list (top-k) leaves its tail unseen: that tail is off-label too.
  const seen = Math.max(total, 1);
  return {
    pA: massA / labelMass,
    pB: massB / labelMass,
    offLabelMass: Math.max(0, 1 - labelMass / seen),
    topToken,
  };
}
