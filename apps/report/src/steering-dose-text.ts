import type { SteeringResult } from "@pva/core";
import { fixed } from "./number-text.js";

/**
 * The steering dose in words: where the vector was added and how much that is in total, in units
 * of the last steered layer's mean residual norm (over a range, each layer adds its own s x norm,
 * so the total is several times what "strength s" suggests).
 */
export function doseText(steering: SteeringResult): string {
  const [from, to] = steering.layers;
  // The headline strength: the one the summary rows were steered at.
  const headline = steering.summary[0]?.strength;
  const first = steering.dose.strengths.find((d) => d.strength === headline) ?? steering.dose.strengths[0];
  const where = steering.dose.mode === "layer" ? `layer ${from}` : `each of layers ${from} to ${to}`;
  if (!first) return `added at ${where}`;
  return `strength ${fixed(first.strength, 2)} x the mean residual norm added at ${where}; in total ${fixed(first.relativeToLastLayerNorm, 2)} x the norm at layer ${to}`;
}
