import { type EmotionVectorsMeta, findEmotion } from "@pva/core";
import { clusterColour } from "../chart-encodings.js";
import { chartConfig, round } from "../chart-theme.js";
import { fixed } from "../number-text.js";
import type { ReportChart } from "../report-chart.js";

// Enough names to orient the reader without covering the cloud.
const LABELLED_PER_END = 3;

/** Emotion vectors on their first two principal components at one layer, coloured by cluster. */
export function emotionPcaChart(vectors: EmotionVectorsMeta, layer: number): ReportChart | null {
  const geometry = vectors.geometry[String(layer)];
  if (!geometry || geometry.loadings.length === 0) return null;
  const extremes = new Set<string>();
  for (const key of ["pc1", "pc2"] as const) {
    const sorted = [...geometry.loadings].sort((x, y) => x[key] - y[key]);
    for (const l of [...sorted.slice(0, LABELLED_PER_END), ...sorted.slice(-LABELLED_PER_END)])
      extremes.add(l.emotion);
  }
  const rows = geometry.loadings.map((l) => ({
    emotion: l.emotion,
    cluster: findEmotion(l.emotion)?.cluster ?? "unknown",
    pc1: round(l.pc1, 4),
    pc2: round(l.pc2, 4),
    label: extremes.has(l.emotion) ? l.emotion : "",
  }));
  const share = (k: number) =>
    geometry.pcShares[k] === undefined ? "" : ` (${fixed(geometry.pcShares[k] * 100, 1)}% of variance)`;
  const x = { field: "pc1", type: "quantitative" as const, title: `PC1${share(0)}` };
  const y = { field: "pc2", type: "quantitative" as const, title: `PC2${share(1)}` };
  const { within, between } = geometry.clusterCoherence;
  return {
    id: "emotion-pca",
    title: "Emotion vectors on PC1 and PC2",
    caption: `Layer ${layer}. The study reads PC1 as valence and PC2 as arousal. Cluster coherence: mean cosine ${fixed(within, 3)} within clusters vs ${fixed(between, 3)} between.`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 460,
      height: 380,
      layer: [
        {
          mark: { type: "point", filled: true, size: 50, opacity: 0.85 },
          encoding: {
            x,
            y,
            color: clusterColour(rows),
            tooltip: [
              { field: "emotion" },
              { field: "cluster" },
              { field: "pc1", title: "PC1" },
              { field: "pc2", title: "PC2" },
            ],
          },
        },
        {
          mark: { type: "text", dy: -8, fontSize: 9, color: "#333" },
          encoding: { x, y, text: { field: "label" } },
        },
      ],
    },
  };
}
