import type { PreferenceScores } from "@pva/core";
import { ACTIVITY_ROW_STEP, activityTextAxis } from "../chart-encodings.js";
import { chartConfig } from "../chart-theme.js";
import type { ReportChart } from "../report-chart.js";

/** Refused and unparseable answers per activity; only activities that had any. Null when none did. */
export function refusalsChart(preferences: PreferenceScores): ReportChart | null {
  const affected = preferences.activities
    .filter((a) => a.refusals + a.unparseable > 0)
    .sort((x, y) => y.refusals + y.unparseable - (x.refusals + x.unparseable) || (x.id < y.id ? -1 : 1));
  if (affected.length === 0) return null;
  const rows = affected.flatMap((a, i) => [
    { rank: i + 1, id: a.id, text: a.text, category: a.category, kind: "refusal", count: a.refusals },
    { rank: i + 1, id: a.id, text: a.text, category: a.category, kind: "unparseable", count: a.unparseable },
  ]);
  return {
    id: "refusals",
    title: "Refusals and unparseable answers per activity",
    caption: `Answers that chose neither option, counted over the prompts showing the activity (run total: ${preferences.diagnostics.refusals} refusals, ${preferences.diagnostics.unparseable} unparseable). Activities with none are left out.`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 360,
      height: { step: ACTIVITY_ROW_STEP },
      mark: { type: "bar" },
      encoding: {
        y: activityTextAxis,
        x: { field: "count", type: "quantitative", title: "answers", stack: "zero" },
        color: {
          field: "kind",
          type: "nominal",
          title: "answer",
          scale: { domain: ["refusal", "unparseable"], range: ["#d62728", "#7f7f7f"] },
        },
        tooltip: [{ field: "text", title: "activity" }, { field: "kind" }, { field: "count" }],
      },
    },
  };
}
