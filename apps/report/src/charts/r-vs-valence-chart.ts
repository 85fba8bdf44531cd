import { type CorrelationResult, type EmotionVectorsMeta, findEmotion } from "@pva/core";
import { clusterColour } from "../chart-encodings.js";
import { chartConfig, round } from "../chart-theme.js";
import { fixed } from "../number-text.js";
import type { ChartRow, ReportChart } from "../report-chart.js";

/**
 * Each emotion's probe-preference r against its valence: the human norm or model PC1 the
 * correlations were computed with, else PC1 from the vectors' geometry at the same layer.
 */
export function rVsValenceChart(
  correlations: CorrelationResult,
  vectors: EmotionVectorsMeta | null,
): ReportChart | null {
  const pc1 = new Map(
    (vectors?.geometry[String(correlations.layer)]?.loadings ?? []).map((l) => [l.emotion, l.pc1]),
  );
  const fromNorms = correlations.valence?.source === "norms";
  const rows: ChartRow[] = correlations.emotions.flatMap((e) => {
    const valence = e.valence ?? (fromNorms ? undefined : pc1.get(e.emotion));
    if (valence === undefined || valence === null) return [];
    return [
      {
        emotion: e.emotion,
        cluster: e.cluster || findEmotion(e.emotion)?.cluster || "unknown",
        valence: round(valence, 4),
        pearson: round(e.pearson),
      },
    ];
  });
  if (rows.length < 3) return null;
  const source = fromNorms ? "human valence norms" : "model PC1";
  const stated = correlations.valence
    ? ` Across emotions r = ${fixed(correlations.valence.r, 2)} [${fixed(correlations.valence.ci[0], 2)}, ${fixed(correlations.valence.ci[1], 2)}] (percentile bootstrap resampling the ${correlations.valence.n} emotions).`
    : "";
  return {
    id: "r-vs-valence",
    title: "Does an emotion's correlation track its valence?",
    caption: `Probe-preference r of each emotion against its valence (${source}); line: least-squares fit.${stated}`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 420,
      height: 320,
      layer: [
        {
          mark: { type: "point", filled: true, size: 45, opacity: 0.85 },
          encoding: {
            x: {
              field: "valence",
              type: "quantitative",
              title: `valence (${source})`,
              scale: { zero: false },
            },
            y: { field: "pearson", type: "quantitative", title: "Pearson r (probe score, Elo)" },
            color: clusterColour(rows),
            tooltip: [
              { field: "emotion" },
              { field: "cluster" },
              { field: "valence" },
              { field: "pearson", title: "r" },
            ],
          },
        },
        {
          transform: [{ regression: "pearson", on: "valence" }],
          mark: { type: "line", color: "#333" },
          encoding: {
            x: { field: "valence", type: "quantitative" },
            y: { field: "pearson", type: "quantitative" },
          },
        },
      ],
    },
  };
}
