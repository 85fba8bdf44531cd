import type { PreferenceScores } from "@pva/core";
import { ACTIVITY_ROW_STEP, activityTextAxis, categoryColour } from "../chart-encodings.js";
import { chartConfig, round } from "../chart-theme.js";
import { fixed } from "../number-text.js";
import type { ReportChart } from "../report-chart.js";

/**
 * Share of each activity's triads that are cyclic, highest first, from the counts prefs wrote into
 * preferences.json. A file written before prefs counted them has none to show (no chart).
 */
export function intransitiveTriadsChart(preferences: PreferenceScores): ReportChart | null {
  const { ids } = preferences.winMatrix;
  if (ids.length < 3) return null;
  const activity = new Map(preferences.activities.map((a) => [a.id, a]));
  if (ids.some((id) => activity.get(id)?.triads === undefined)) return null;
  const rows = ids
    .map((id) => {
      const { text, category, triads } = activity.get(id)!;
      const { decided, cyclic } = triads!;
      return {
        id,
        text,
        category,
        triads: decided,
        cyclic,
        share: decided > 0 ? round(cyclic / decided, 4) : 0,
      };
    })
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
