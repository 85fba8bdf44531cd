import type { PreferenceScores } from "@pva/core";
import { ACTIVITY_ROW_STEP, activityTextAxis, categoryColour } from "../chart-encodings.js";
import { chartConfig, round } from "../chart-theme.js";
import { fixed, interval } from "../number-text.js";
import type { ReportChart } from "../report-chart.js";

/** P(first option chosen) when the activity was shown, per activity; 0.5 is no position bias. */
export function positionBiasChart(preferences: PreferenceScores): ReportChart {
  const rows = [...preferences.activities]
    .sort((x, y) => y.pFirstWhenPresent - x.pFirstWhenPresent || (x.id < y.id ? -1 : 1))
    .map((a, i) => ({
      rank: i + 1,
      id: a.id,
      text: a.text,
      category: a.category,
      pFirstWhenPresent: round(a.pFirstWhenPresent),
    }));
  const { pFirst, pFirstCi } = preferences.diagnostics;
  return {
    id: "position-bias",
    title: "Position bias per activity",
    caption: `P(the first option is chosen) over the prompts that showed the activity; 0.5 means no bias. Overall P(first) = ${fixed(pFirst, 3)} ${interval(pFirstCi, 3)} (dashed line).`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 360,
      height: { step: ACTIVITY_ROW_STEP },
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            y: activityTextAxis,
            x: {
              field: "pFirstWhenPresent",
              type: "quantitative",
              title: "P(first chosen)",
              scale: { domain: [0, 1] },
            },
            x2: { datum: 0.5 },
            color: categoryColour,
            tooltip: [
              { field: "text", title: "activity" },
              { field: "category" },
              { field: "pFirstWhenPresent", title: "P(first chosen)" },
            ],
          },
        },
        { mark: { type: "rule", color: "#333" }, encoding: { x: { datum: 0.5 } } },
        {
          mark: { type: "rule", color: "#d62728", strokeDash: [5, 3] },
          encoding: { x: { datum: round(pFirst) } },
        },
      ],
    },
  };
}
