import { ACTIVITY_CATEGORIES, EMOTION_CLUSTERS } from "@pva/core";
import type { Config } from "vega-lite";
import { CHART_FONT } from "./chart-font.js";

export const chartConfig: Config = {
  background: "white",
  font: CHART_FONT,
  padding: 8,
  view: { stroke: null },
  axis: { labelFontSize: 10, titleFontSize: 11, gridColor: "#e6e6e6" },
  legend: { labelFontSize: 10, titleFontSize: 11, labelLimit: 220 },
  title: { fontSize: 13, anchor: "start" },
};

/** Activity categories from the wanted (greens/blues) to the unwanted (oranges/reds). */
export const categoryScale = {
  domain: [...ACTIVITY_CATEGORIES],
  range: ["#1b7837", "#5aae61", "#2166ac", "#67a9cf", "#999999", "#f4a582", "#d6604d", "#b2182b"],
};

const CLUSTER_COLOURS = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
  "#333333",
];

/**
 * Colours of the emotion clusters a chart shows, in reference order. Each cluster keeps its one
 * colour in every chart, and a chart of a few emotions lists only their clusters; "unknown" (an
 * emotion outside the catalog) comes last.
 */
export function clusterScale(clusters: Iterable<string>): { domain: string[]; range: string[] } {
  const present = new Set(clusters);
  const known = EMOTION_CLUSTERS.map((cluster, i) => ({ cluster, colour: CLUSTER_COLOURS[i] })).filter((c) =>
    present.has(c.cluster),
  );
  const hasUnknown = [...present].some((c) => !(EMOTION_CLUSTERS as readonly string[]).includes(c));
  const all = hasUnknown ? [...known, { cluster: "unknown", colour: CLUSTER_COLOURS[10] }] : known;
  return { domain: all.map((c) => c.cluster), range: all.map((c) => c.colour) };
}

/**
 * Sorts a nominal axis by the rows' `rank` column. Never an explicit array of values: Vega-Lite
 * compiles such an array into a Vega expression, and user text in it (a U+2028 in an activity)
 * can break the expression and with it the chart.
 */
export const byRank = { field: "rank", op: "min" } as const;

/** Rounds for display and CSV: enough digits to read, few enough that tooltips stay short. */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
