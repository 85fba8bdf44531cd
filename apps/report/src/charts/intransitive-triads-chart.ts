import type { PreferenceScores } from "@pva/core";
import { ACTIVITY_ROW_STEP, activityTextAxis, categoryColour } from "../chart-encodings.js";
import { chartConfig, round } from "../chart-theme.js";
import { intransitiveTriadsByActivity } from "../intransitive-triads.js";
import { fixed } from "../number-text.js";
import type { ReportChart } from "../report-chart.js";

/** Share of each activity's triads that are cyclic, highest first. */
export function intransitiveTriadsChart(preferences: PreferenceScores): ReportChart | null {
  const { ids, p } = preferences.winMatrix;
  if (ids.length < 3) return null;
  const triads = intransitiveTriadsByActivity(p);
  const activity = new Map(preferences.activities.map((a) => [a.id, a]));
  const rows = ids
    .map((id, i) => ({
      id,
      text: activity.get(id)?.text ?? id,
      category: activity.get(id)?.category ?? "Neutral",
      triads: triads[i].triads,
      cyclic: triads[i].cyclic,
      share: triads[i].triads > 0 ? round(triads[i].cyclic / triads[i].triads, 4) : 0,
    }))
    .sort((x, y) => y.share - x.share || (x.id < y.id ? -1 : 1))
    .map((row, i) => ({ rank: i + 1, ...row }));
  return {
    id: "intransitive-triads",
    title: "Intransitive triads per activity",
    caption: `Share of the triads containing the activity that form a cycle (A > B > C > A). Run-wide share: ${fixed(preferences.diagnostics.intransitiveTriadShare * 100, 2)}%.`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 360,
      height: { step: ACTIVITY_ROW_STEP },
      mark: { type: "bar" },
      encoding: {
        y: activityTextAxis,
        x: {
          field: "share",
          type: "quantitative",
          title: "cyclic share of its triads",
          axis: { format: "%" },
        },
        color: categoryColour,
        tooltip: [
          { field: "text", title: "activity" },
          { field: "triads" },
          { field: "cyclic" },
          { field: "share", format: ".2%" },
        ],
      },
    },
  };
}
