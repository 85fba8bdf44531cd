import type { PreferenceScores } from "@pva/core";
import { chartConfig, round } from "../chart-theme.js";
import type { ReportChart } from "../report-chart.js";

/**
 * P(row chosen over column) for every compared pair, rows and columns in Elo order (sorted by rank
 * columns, never by an array of ids: see byRank).
 */
export function winMatrixChart(preferences: PreferenceScores): ReportChart {
  const elo = new Map(preferences.activities.map((a) => [a.id, a.elo]));
  const text = new Map(preferences.activities.map((a) => [a.id, a.text]));
  const { ids, p } = preferences.winMatrix;
  const order = [...ids].sort((x, y) => (elo.get(y) ?? 0) - (elo.get(x) ?? 0) || (x < y ? -1 : 1));
  const rank = new Map(order.map((id, i) => [id, i + 1]));
  const rows = ids.flatMap((rowId, i) =>
    ids.flatMap((columnId, j) => {
      const value = p[i][j];
      if (value === null || value === undefined) return [];
      return [
        {
          row: rowId,
          column: columnId,
          rowRank: rank.get(rowId) ?? 0,
          columnRank: rank.get(columnId) ?? 0,
          rowText: text.get(rowId) ?? rowId,
          columnText: text.get(columnId) ?? columnId,
          p: round(value),
        },
      ];
    }),
  );
  return {
    id: "win-matrix",
    title: "Win probability of each pair",
    caption:
      "Mean P(row chosen over column) over both presentation orders; rows and columns from highest to lowest Elo. Blank cells were never compared.",
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      // 11 px cells and whole ids (short texts: the full text is on hover) keep 64 x 64 readable
      // and within a 1280 px page.
      width: { step: 11 },
      height: { step: 11 },
      mark: { type: "rect" },
      encoding: {
        x: {
          field: "column",
          type: "nominal",
          sort: { field: "columnRank", op: "min" },
          title: "against (column)",
          axis: { labelFontSize: 9, labelAngle: -90, labelLimit: 270, orient: "top" },
        },
        y: {
          field: "row",
          type: "nominal",
          sort: { field: "rowRank", op: "min" },
          title: "chosen (row)",
          axis: { labelFontSize: 9, labelLimit: 270 },
        },
        color: {
          field: "p",
          type: "quantitative",
          title: "P(row chosen)",
          scale: { scheme: "redblue", domain: [0, 1], domainMid: 0.5 },
        },
        tooltip: [
          { field: "rowText", title: "row" },
          { field: "columnText", title: "column" },
          { field: "p", title: "P(row chosen)" },
        ],
      },
    },
  };
}
