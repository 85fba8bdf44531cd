import { byRank, categoryScale, clusterScale } from "./chart-theme.js";
import type { ChartRow } from "./report-chart.js";

/** Line height of an activity label at its font size (10 px). */
const LABEL_LINE_HEIGHT = 12;

// The space nearest the middle of the label, or -1: the last one up to the middle (BEFORE) or the
// first one from the middle on (MIDDLE + AFTER), whichever is closer.
const MIDDLE = "floor(length(datum.label) / 2)";
const BEFORE = `lastindexof(substring(datum.label, 0, ${MIDDLE} + 1), ' ')`;
const AFTER = `indexof(substring(datum.label, ${MIDDLE}), ' ')`;
const SPLIT = `(${BEFORE} < 0 ? (${AFTER} < 0 ? -1 : ${MIDDLE} + ${AFTER}) : (${AFTER} < 0 || ${MIDDLE} - ${BEFORE} <= ${AFTER} ? ${BEFORE} : ${MIDDLE} + ${AFTER}))`;

/**
 * Splits an axis label at the space nearest its middle into two lines (an array of lines is drawn
 * as lines), so every label has the same shape and a 70-character text fits in half the width.
 * It reads only datum.label: user text is data, never part of an expression (see byRank).
 */
const TWO_LINE_LABEL = `${SPLIT} < 0 ? datum.label : [substring(datum.label, 0, ${SPLIT}), substring(datum.label, ${SPLIT} + 1)]`;

/**
 * Room per activity on a per-activity chart: two lines of label, which holds every catalog text
 * (up to 61 characters) whole instead of cutting it at about 30.
 */
export const ACTIVITY_ROW_STEP = 2 * LABEL_LINE_HEIGHT;

/**
 * The axis of a per-activity chart: activity texts in the rows' rank order on two lines, centred on
 * their row (vega hangs the second line below the first).
 */
export const activityTextAxis = {
  field: "text",
  type: "nominal",
  sort: byRank,
  title: null,
  axis: {
    labelExpr: TWO_LINE_LABEL,
    labelLimit: 300,
    labelFontSize: 10,
    labelLineHeight: LABEL_LINE_HEIGHT,
    labelOffset: -LABEL_LINE_HEIGHT / 2,
  },
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
