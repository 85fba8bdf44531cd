import { findEmotion, type SteeringResult } from "@pva/core";
import { clusterColour } from "../chart-encodings.js";
import { chartConfig, round } from "../chart-theme.js";
import { paddedFrame, placeLabels } from "../label-placement.js";
import { fixed } from "../number-text.js";
import type { ChartRow, ReportChart } from "../report-chart.js";

const WIDTH = 400;
const HEIGHT = 300;
const LABEL_FONT = 10;

/** Steering's Elo shift against the emotion's probe-preference r: does the probe predict the cause? */
export function shiftVsRChart(steering: SteeringResult): ReportChart | null {
  const measured = steering.summary.flatMap((s) =>
    s.r === null ? [] : [{ ...s, x: round(s.r), y: round(s.shift, 1), label: s.emotion }],
  );
  if (measured.length < 2) return null;
  const frame = paddedFrame(measured, WIDTH, HEIGHT, 0.12);
  const placed = placeLabels(measured, frame, { fontSize: LABEL_FONT, pointRadius: 4 });
  const rows: ChartRow[] = measured.map((s, i) => ({
    emotion: s.emotion,
    cluster: findEmotion(s.emotion)?.cluster ?? "unknown",
    strength: s.strength,
    r: s.x,
    shift: s.y,
    // where the emotion's name is drawn, clear of the other names and points
    label: placed[i] ? s.emotion : "",
    labelX: placed[i] ? round(placed[i].x, 4) : null,
    labelY: placed[i] ? round(placed[i].y, 4) : null,
  }));
  // A line through two points says nothing, so it needs three, and the caption says so.
  const fitted = rows.length >= 3;
  const v = steering.shiftVsR;
  const stated = v
    ? ` Correlation r = ${fixed(v.r, 2)} [${fixed(v.ci[0], 2)}, ${fixed(v.ci[1], 2)}] (percentile bootstrap over the ${v.n} emotions, ${v.resamples} resamples), permutation p = ${fixed(v.p, 3)} (r shuffled across emotions); ${v.signAgreement.agree} of ${v.signAgreement.of} emotions shift in the direction of their r.`
    : "";
  const x = {
    field: "r",
    type: "quantitative" as const,
    title: "probe-preference r",
    scale: { domain: frame.x, nice: false, zero: false },
  };
  const y = {
    field: "shift",
    type: "quantitative" as const,
    title: "Elo change of the steered activities",
    scale: { domain: frame.y, nice: false, zero: false },
  };
  return {
    id: "shift-vs-r",
    title: "Steering shift vs probe-preference r",
    caption: `Each point is a steered emotion: its steered activities' own Elo change against its probe-preference r${fitted ? "; line: least-squares fit" : " (a fitted line needs three)"}.${stated}`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          mark: { type: "point", filled: true, size: 55 },
          encoding: {
            x,
            y,
            color: clusterColour(rows),
            tooltip: [
              { field: "emotion" },
              { field: "strength" },
              { field: "r" },
              { field: "shift", title: "Elo shift" },
            ],
          },
        },
        ...(fitted
          ? [
              {
                transform: [{ regression: "shift", on: "r", extent: frame.x }],
                mark: { type: "line" as const, color: "#333", clip: true },
                encoding: { x, y },
              },
            ]
          : []),
        {
          mark: {
            type: "text" as const,
            fontSize: LABEL_FONT,
            color: "#333",
            align: "center",
            baseline: "middle",
          },
          encoding: { x: { ...x, field: "labelX" }, y: { ...y, field: "labelY" }, text: { field: "label" } },
        },
      ],
    },
  };
}
