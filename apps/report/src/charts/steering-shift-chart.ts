import { findEmotion, type SteeringResult } from "@pva/core";
import { clusterColour } from "../chart-encodings.js";
import { byRank, chartConfig, clusterScale, round } from "../chart-theme.js";
import type { ReportChart } from "../report-chart.js";

/** Elo shift (steered minus control activities) per steered emotion with its interval. */
export function steeringShiftChart(steering: SteeringResult): ReportChart | null {
  if (steering.summary.length === 0) return null;
  const sorted = [...steering.summary].sort(
    (x, y) => y.shift - x.shift || x.strength - y.strength || (x.emotion < y.emotion ? -1 : 1),
  );
  // An emotion steered at several strengths keeps the rank of its largest shift.
  const emotionOrder = [...new Set(sorted.map((s) => s.emotion))];
  const rows = sorted.map((s) => ({
    rank: emotionOrder.indexOf(s.emotion) + 1,
    emotion: s.emotion,
    cluster: findEmotion(s.emotion)?.cluster ?? "unknown",
    strength: s.strength,
    shift: round(s.shift, 1),
    low: round(s.ci[0], 1),
    high: round(s.ci[1], 1),
    r: s.r === null ? null : round(s.r),
  }));
  const strengths = new Set(rows.map((r) => r.strength));
  const y = {
    field: "emotion",
    type: "nominal" as const,
    sort: byRank,
    title: null,
  };
  const yOffset = strengths.size > 1 ? { yOffset: { field: "strength", type: "nominal" as const } } : {};
  const tooltip = [
    { field: "emotion" },
    { field: "cluster" },
    { field: "strength" },
    { field: "shift", title: "Elo shift" },
    { field: "low", title: "CI low" },
    { field: "high", title: "CI high" },
    { field: "r", title: "probe-preference r" },
  ];
  return {
    id: "steering-shift",
    title: "Steering: Elo shift per emotion",
    caption: `Mean Elo change of the steered activities minus that of the control activities when the emotion vector is added on the steered activities' tokens (layers ${steering.layers[0]} to ${steering.layers[1]}, ${steering.splits} splits), with intervals.`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 420,
      height: { step: strengths.size > 1 ? 8 * strengths.size : 14 },
      layer: [
        { mark: { type: "rule", color: "#888" }, encoding: { x: { datum: 0 } } },
        {
          mark: { type: "rule", strokeWidth: 2 },
          encoding: {
            y,
            ...yOffset,
            x: { field: "low", type: "quantitative", title: "Elo shift (steered - control)" },
            x2: { field: "high" },
            color: clusterColour(rows),
            tooltip,
          },
        },
        {
          mark: { type: "point", filled: true, size: 45 },
          encoding: {
            y,
            ...yOffset,
            x: { field: "shift", type: "quantitative" },
            color: {
              field: "cluster",
              type: "nominal",
              scale: clusterScale(rows.map((r) => String(r.cluster))),
            },
            shape:
              strengths.size > 1
                ? { field: "strength", type: "nominal", title: "strength" }
                : { value: "circle" },
            tooltip,
          },
        },
      ],
    },
  };
}
