import type { SteeringResult } from "@pva/core";
import { chartConfig, round } from "../chart-theme.js";
import type { ReportChart } from "../report-chart.js";

/** Elo shift when steering one layer at a time, one line per emotion. */
export function layerSweepChart(steering: SteeringResult): ReportChart | null {
  if (steering.layerSweep.length === 0) return null;
  const rows = [...steering.layerSweep]
    .sort((x, y) => (x.emotion < y.emotion ? -1 : x.emotion > y.emotion ? 1 : x.layer - y.layer))
    .map((l) => ({
      emotion: l.emotion,
      layer: l.layer,
      shift: round(l.shift, 1),
      low: round(l.ci[0], 1),
      high: round(l.ci[1], 1),
    }));
  return {
    id: "layer-sweep",
    title: "Steering layer sweep",
    caption: `Elo change of the steered activities when the vector is added at a single layer at strength ${steering.summary[0]?.strength ?? ""} x that layer's mean residual norm, per emotion, over all ${steering.splits} splits. Bands: percentile bootstrap resampling the steered activities within each split.`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 400,
      height: 280,
      layer: [
        { mark: { type: "rule", color: "#888" }, encoding: { y: { datum: 0 } } },
        {
          mark: { type: "area", opacity: 0.15 },
          encoding: {
            x: { field: "layer", type: "quantitative" },
            y: { field: "low", type: "quantitative" },
            y2: { field: "high" },
            color: { field: "emotion", type: "nominal", title: "emotion" },
          },
        },
        {
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "layer", type: "quantitative", title: "layer", axis: { tickMinStep: 1 } },
            y: { field: "shift", type: "quantitative", title: "Elo shift" },
            color: { field: "emotion", type: "nominal", title: "emotion" },
            tooltip: [
              { field: "emotion" },
              { field: "layer" },
              { field: "shift", title: "Elo shift" },
              { field: "low", title: "CI low" },
              { field: "high", title: "CI high" },
            ],
          },
        },
      ],
    },
  };
}
