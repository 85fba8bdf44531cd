import type { SteeringResult } from "@pva/core";
import { chartConfig, round } from "../chart-theme.js";
import type { ReportChart } from "../report-chart.js";

/** Elo shift against steering strength, one line per emotion with its intervals. */
export function doseResponseChart(steering: SteeringResult): ReportChart | null {
  if (new Set(steering.doseResponse.map((d) => d.strength)).size < 2) return null;
  const rows = [...steering.doseResponse]
    .sort((x, y) => (x.emotion < y.emotion ? -1 : x.emotion > y.emotion ? 1 : x.strength - y.strength))
    .map((d) => ({
      emotion: d.emotion,
      strength: d.strength,
      shift: round(d.shift, 1),
      low: round(d.ci[0], 1),
      high: round(d.ci[1], 1),
    }));
  const x = { field: "strength", type: "quantitative" as const, title: "strength (x mean residual norm)" };
  const color = { field: "emotion", type: "nominal" as const, title: "emotion" };
  const tooltip = [
    { field: "emotion" },
    { field: "strength" },
    { field: "shift", title: "Elo shift" },
    { field: "low", title: "CI low" },
    { field: "high", title: "CI high" },
  ];
  return {
    id: "dose-response",
    title: "Steering dose-response",
    caption: `Elo change of the steered activities as the steering strength grows, per emotion (strength s adds s x the layer's mean residual norm ${steering.dose.mode === "layer" ? `at layer ${steering.layers[0]}` : `at each of layers ${steering.layers[0]} to ${steering.layers[1]}`}). Bands: percentile bootstrap resampling the steered activities within each split.`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 400,
      height: 280,
      layer: [
        { mark: { type: "rule", color: "#888" }, encoding: { y: { datum: 0 } } },
        {
          mark: { type: "errorband", opacity: 0.15 },
          encoding: {
            x,
            y: { field: "low", type: "quantitative", title: "Elo shift" },
            y2: { field: "high" },
            color: { ...color, legend: null },
          },
        },
        {
          mark: { type: "line", point: true },
          encoding: { x, y: { field: "shift", type: "quantitative" }, color, tooltip },
        },
      ],
    },
  };
}
