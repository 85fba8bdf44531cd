import { findEmotion, type SteeringResult } from "@pva/core";
import { clusterColour } from "../chart-encodings.js";
import { chartConfig, round } from "../chart-theme.js";
import { fixed } from "../number-text.js";
import type { ChartRow, ReportChart } from "../report-chart.js";

const REGRESSION_LINE = {
  transform: [{ regression: "shift", on: "r" }],
  mark: { type: "line" as const, color: "#333" },
  encoding: {
    x: { field: "r", type: "quantitative" as const },
    y: { field: "shift", type: "quantitative" as const },
  },
};

/** Steering's Elo shift against the emotion's probe-preference r: does the probe predict the cause? */
export function shiftVsRChart(steering: SteeringResult): ReportChart | null {
  const rows: ChartRow[] = steering.summary.flatMap((s) =>
    s.r === null
      ? []
      : [
          {
            emotion: s.emotion,
            cluster: findEmotion(s.emotion)?.cluster ?? "unknown",
            strength: s.strength,
            r: round(s.r),
            shift: round(s.shift, 1),
          },
        ],
  );
  if (rows.length < 2) return null;
  const stated = steering.shiftVsR
    ? ` Correlation r = ${fixed(steering.shiftVsR.r, 2)}, sign agreement ${fixed(steering.shiftVsR.signAgreement * 100, 0)}% (n = ${steering.shiftVsR.n}).`
    : "";
  return {
    id: "shift-vs-r",
    title: "Steering shift vs probe-preference r",
    caption: `Each point is a steered emotion; line: least-squares fit.${stated}`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 400,
      height: 300,
      layer: [
        {
          mark: { type: "point", filled: true, size: 55 },
          encoding: {
            x: { field: "r", type: "quantitative", title: "probe-preference r" },
            y: { field: "shift", type: "quantitative", title: "Elo shift" },
            color: clusterColour(rows),
            tooltip: [
              { field: "emotion" },
              { field: "strength" },
              { field: "r" },
              { field: "shift", title: "Elo shift" },
            ],
          },
        },
        // A line through two points says nothing, so it needs three.
        ...(rows.length >= 3 ? [REGRESSION_LINE] : []),
      ],
    },
  };
}
