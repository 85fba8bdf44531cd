import { findEmotion, type SteeringResult } from "@pva/core";
import { clusterColour } from "../chart-encodings.js";
import { byRank, chartConfig, clusterScale, round } from "../chart-theme.js";
import type { ReportChart } from "../report-chart.js";
import { doseText } from "../steering-dose-text.js";

/**
 * The steered activities' own Elo change per steered emotion with its interval (the study's
 * quantity), steered - control beside it in the data and on hover.
 */
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
    steeredMinusControl: round(s.steeredMinusControl, 1),
    steeredMinusControlLow: round(s.steeredMinusControlCi[0], 1),
    steeredMinusControlHigh: round(s.steeredMinusControlCi[1], 1),
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
    { field: "shift", title: "Elo change of the steered activities" },
    { field: "low", title: "CI low" },
    { field: "high", title: "CI high" },
    { field: "steeredMinusControl", title: "steered - control" },
    { field: "r", title: "probe-preference r" },
  ];
  return {
    id: "steering-shift",
    title: "Steering: Elo shift per emotion",
    caption: `Mean Elo change of the steered activities (steered run minus unsteered baseline) when the emotion vector is added on their tokens (${doseText(steering)}; ${steering.splits} splits), the quantity the study reports. Intervals: percentile bootstrap resampling the steered activities within each split, with the baseline and steered fits held fixed. Steered minus control (about twice as large, since Elo is centred) is in the data.`,
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
            x: { field: "low", type: "quantitative", title: "Elo change of the steered activities" },
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
