import { type EmotionVectorsMeta, findEmotion } from "@pva/core";
import { clusterColour } from "../chart-encodings.js";
import { chartConfig, round } from "../chart-theme.js";
import { paddedFrame, placeLabels } from "../label-placement.js";
import { fixed } from "../number-text.js";
import type { ReportChart } from "../report-chart.js";

// Enough names to orient the reader without covering the cloud.
const LABELLED_PER_END = 3;
const WIDTH = 460;
const HEIGHT = 380;
const LABEL_FONT = 10;

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
  const points = geometry.loadings.map((l) => ({
    x: round(l.pc1, 4),
    y: round(l.pc2, 4),
    label: extremes.has(l.emotion) ? l.emotion : "",
  }));
  const frame = paddedFrame(points, WIDTH, HEIGHT);
  const placed = placeLabels(points, frame, { fontSize: LABEL_FONT, pointRadius: 4 });
  const rows = geometry.loadings.map((l, i) => ({
    emotion: l.emotion,
    cluster: findEmotion(l.emotion)?.cluster ?? "unknown",
    pc1: points[i].x,
    pc2: points[i].y,
    // where the label is drawn, clear of the other labels and points (none if there was no room)
    label: placed[i] ? points[i].label : "",
    labelX: placed[i] ? round(placed[i].x, 4) : null,
    labelY: placed[i] ? round(placed[i].y, 4) : null,
  }));
  const share = (k: number) =>
    geometry.pcShares[k] === undefined ? "" : ` (${fixed(geometry.pcShares[k] * 100, 1)}% of variance)`;
  const x = {
    field: "pc1",
    type: "quantitative" as const,
    title: `PC1${share(0)}`,
    scale: { domain: frame.x, nice: false, zero: false },
  };
  const y = {
    field: "pc2",
    type: "quantitative" as const,
    title: `PC2${share(1)}`,
    scale: { domain: frame.y, nice: false, zero: false },
  };
  const { within, between } = geometry.clusterCoherence;
  return {
    id: "emotion-pca",
    title: "Emotion vectors on PC1 and PC2",
    caption: `Layer ${layer}. The study reads PC1 as valence and PC2 as arousal. Cluster coherence: mean cosine ${fixed(within, 3)} within clusters vs ${fixed(between, 3)} between.`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: WIDTH,
      height: HEIGHT,
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
          mark: { type: "text", fontSize: LABEL_FONT, color: "#333", align: "center", baseline: "middle" },
          encoding: {
            x: { ...x, field: "labelX" },
            y: { ...y, field: "labelY" },
            text: { field: "label" },
          },
        },
      ],
    },
  };
}
