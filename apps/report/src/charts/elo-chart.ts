import type { PreferenceScores } from "@pva/core";
import { ACTIVITY_ROW_STEP, activityTextAxis, categoryColour } from "../chart-encodings.js";
import { categoryScale, chartConfig, round } from "../chart-theme.js";
import type { ReportChart } from "../report-chart.js";

/** Elo of every activity with its bootstrap interval, best first, coloured by category. */
export function eloChart(preferences: PreferenceScores): ReportChart {
  const ranked = [...preferences.activities].sort((x, y) => y.elo - x.elo || (x.id < y.id ? -1 : 1));
  const rows = ranked.map((a, i) => ({
    rank: i + 1,
    id: a.id,
    text: a.text,
    category: a.category,
    elo: round(a.elo, 1),
    eloLow: round(a.eloCi[0], 1),
    eloHigh: round(a.eloCi[1], 1),
    comparisons: a.comparisons,
    winRate: round(a.winRate),
  }));
  const level = Math.round(preferences.bootstrap.level * 100);
  const tooltip = [
    { field: "text", title: "activity" },
    { field: "category" },
    { field: "elo", title: "Elo" },
    { field: "eloLow", title: `${level}% low` },
    { field: "eloHigh", title: `${level}% high` },
    { field: "comparisons" },
    { field: "winRate", title: "win rate" },
  ];
  return {
    id: "elo",
    title: "Preference (Elo) per activity",
    caption: `Bradley-Terry Elo (1500 = average, +400 = 10:1 odds) with ${level}% bootstrap intervals over ${preferences.bootstrap.resamples} resamples of the ordered pairs, best first.`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 420,
      height: { step: ACTIVITY_ROW_STEP },
      layer: [
        { mark: { type: "rule", strokeDash: [4, 4], color: "#888" }, encoding: { x: { datum: 1500 } } },
        {
          mark: { type: "rule", strokeWidth: 2 },
          encoding: {
            y: activityTextAxis,
            x: { field: "eloLow", type: "quantitative", title: "Elo", scale: { zero: false } },
            x2: { field: "eloHigh" },
            color: categoryColour,
            tooltip,
          },
        },
        {
          mark: { type: "point", filled: true, size: 40 },
          encoding: {
            y: activityTextAxis,
            x: { field: "elo", type: "quantitative" },
            color: { field: "category", type: "nominal", scale: categoryScale },
            tooltip,
          },
        },
      ],
    },
  };
}
