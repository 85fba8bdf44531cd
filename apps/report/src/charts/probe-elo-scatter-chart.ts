import type { CorrelationResult, PreferenceScores, ProbeScores } from "@pva/core";
import { categoryColour } from "../chart-encodings.js";
import { chartConfig, round } from "../chart-theme.js";
import { fixed } from "../number-text.js";
import type { ChartRow, ReportChart } from "../report-chart.js";

/**
 * Probe score vs Elo across activities for the emotion with the highest r and the one with the
 * lowest, with a least-squares line; hovering a point names the activity. Null when the probe
 * file has no layer the correlations were computed at.
 */
export function probeEloScatterChart(
  preferences: PreferenceScores,
  probes: ProbeScores,
  correlations: CorrelationResult,
): ReportChart | null {
  const layer = probes.layers.find((l) => l.layer === correlations.layer);
  if (!layer || correlations.emotions.length === 0) return null;
  const byR = [...correlations.emotions].sort((x, y) => y.pearson - x.pearson);
  const picked = [byR[0], byR[byR.length - 1]].filter((e, i, all) => all.indexOf(e) === i);
  const activity = new Map(preferences.activities.map((a) => [a.id, a]));
  const rows: ChartRow[] = [];
  for (const [panelRank, emotion] of picked.entries()) {
    const column = probes.emotions.indexOf(emotion.emotion);
    if (column < 0) continue;
    const panel = `${emotion.emotion} (r = ${fixed(emotion.pearson, 2)})`;
    probes.activities.forEach((id, row) => {
      const a = activity.get(id);
      if (!a) return;
      rows.push({
        panel,
        panelRank,
        emotion: emotion.emotion,
        id,
        text: a.text,
        category: a.category,
        probe: round(layer.scores[row][column], 4),
        elo: round(a.elo, 1),
      });
    });
  }
  if (rows.length === 0) return null;
  return {
    id: "probe-vs-elo",
    title: "Probe score vs Elo: the most positive and most negative emotion",
    caption: `Each point is an activity (hover for its text); the line is the least-squares fit. Layer ${correlations.layer}.`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      facet: {
        column: {
          field: "panel",
          type: "nominal",
          title: null,
          // By rank, not by an array of names: see byRank.
          sort: { field: "panelRank", op: "min" },
        },
      },
      resolve: { scale: { x: "independent" } },
      spec: {
        width: 320,
        height: 280,
        layer: [
          {
            mark: { type: "point", filled: true, size: 45, opacity: 0.85 },
            encoding: {
              x: { field: "probe", type: "quantitative", title: "probe score", scale: { zero: false } },
              y: { field: "elo", type: "quantitative", title: "Elo", scale: { zero: false } },
              color: categoryColour,
              tooltip: [
                { field: "text", title: "activity" },
                { field: "category" },
                { field: "probe", title: "probe score" },
                { field: "elo", title: "Elo" },
              ],
            },
          },
          {
            transform: [{ regression: "elo", on: "probe", groupby: ["panel"] }],
            mark: { type: "line", color: "#333" },
            encoding: {
              x: { field: "probe", type: "quantitative" },
              y: { field: "elo", type: "quantitative" },
            },
          },
        ],
      },
    },
  };
}
