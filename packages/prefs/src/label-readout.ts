/**
 * Reading a choice from a next-token distribution: the probability of the label tokens `A` and
 * `B` (summed over their common variants: leading space as " ", "Ġ" or "▁", and "(A"/"A)" forms)
 * renormalised to sum to 1, plus the mass left on every other token. A large off-label mass means
 * the model is not answering the question, so it is reported, never hidden.
 */
export type Label = "A" | "B";

export interface LabelReadout {
  pA: number;
  pB: number;
  offLabelMass: number;
  /** The most probable token, as the model's literal answer. */
  topToken: string;
}

/** Which label a token spells, if any. */
export function labelOfToken(token: string): Label | null {
  const core = token
    .replace(/^[\sĠ▁]+/u, "")
    .replace(/^\(/, "")
    .replace(/\)$/, "")
    .trim();
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
