import { byRank, categoryScale, clusterScale } from "./chart-theme.js";
import type { ChartRow } from "./report-chart.js";

/** The axis of a per-activity bar chart: activity texts in the rows' rank order, long ones kept readable. */
export const activityTextAxis = {
  field: "text",
  type: "nominal",
  sort: byRank,
  title: null,
  axis: { labelLimit: 280 },
} as const;

/** Colour by activity category, wanted to unwanted, the same in every chart. */
export const categoryColour = {
  field: "category",
  type: "nominal",
  scale: categoryScale,
  title: "category",
} as const;

/** Colour by emotion cluster, with a legend of only the clusters among `rows`. */
export function clusterColour(rows: readonly ChartRow[]) {
  return {
    field: "cluster",
    type: "nominal",
    scale: clusterScale(rows.map((r) => String(r.cluster))),
    title: "cluster",
  } as const;
}
