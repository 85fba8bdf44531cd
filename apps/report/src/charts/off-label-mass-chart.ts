import type { ChoiceRecord } from "@pva/core";
import { chartConfig, round } from "../chart-theme.js";
import { fixed } from "../number-text.js";
import type { ReportChart } from "../report-chart.js";

const BINS = 40;
// Off-label mass is usually a few percent, so the axis stops at the first of these above the max.
const AXIS_ENDS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

/**
 * Histogram of the probability mass the model put on tokens other than the two labels: large
 * mass means the label probabilities were renormalised from little evidence. Binned here, not in
 * Vega, so the page and the CSV carry 40 rows instead of one per answer. Only the answers of one
 * condition (the baseline tournament), since steered conditions share `choices.jsonl`.
 */
export function offLabelMassChart(choices: readonly ChoiceRecord[], condition: string): ReportChart | null {
  const masses = choices.flatMap((c) =>
    c.condition !== condition || c.offLabelMass === null ? [] : [c.offLabelMass],
  );
  if (masses.length === 0) return null;
  const max = masses.reduce((m, v) => Math.max(m, v), 0);
  const end = AXIS_ENDS.find((e) => e >= max) ?? 1;
  const width = end / BINS;
  const counts = new Array<number>(BINS).fill(0);
  for (const mass of masses) counts[Math.min(BINS - 1, Math.floor(mass / width))]++;
  const rows = counts.map((answers, i) => ({
    from: round(i * width, 6),
    to: round((i + 1) * width, 6),
    answers,
  }));
  const mean = masses.reduce((sum, v) => sum + v, 0) / masses.length;
  return {
    id: "off-label-mass",
    title: "Probability mass off the label tokens",
    caption: `Per answer of the ${condition} tournament, the next-token probability on tokens other than the labels (${masses.length} answers, mean ${fixed(mean, 4)}, max ${fixed(max, 4)}).`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 400,
      height: 220,
      mark: { type: "bar", color: "#4e79a7", binSpacing: 1 },
      encoding: {
        x: {
          field: "from",
          type: "quantitative",
          bin: { binned: true, step: width },
          title: "mass off the labels",
          scale: { domain: [0, end] },
        },
        x2: { field: "to" },
        y: { field: "answers", type: "quantitative", title: "answers" },
        tooltip: [{ field: "from" }, { field: "to" }, { field: "answers" }],
      },
    },
  };
}
