import type { TopLevelSpec } from "vega-lite";

/** One cell of a chart's data table: what the chart plots and what its CSV download holds. */
export type ChartValue = string | number | boolean | null;
export type ChartRow = Record<string, ChartValue>;

/** A chart of the report: a Vega-Lite spec and the rows it plots (inlined in the spec). */
export interface ReportChart {
  /** File stem of `charts/<id>.svg|png` and of the CSV download; plain letters and dashes. */
  id: string;
  title: string;
  /** One or two sentences saying how to read the chart. */
  caption: string;
  spec: TopLevelSpec;
  rows: ChartRow[];
}
