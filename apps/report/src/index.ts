export { chartFontFiles, DEFAULT_FONT_FILES } from "./chart-font.js";
export { chartSvg, svgToPng } from "./chart-images.js";
export { correlationChart } from "./charts/correlation-chart.js";
export { doseResponseChart } from "./charts/dose-response-chart.js";
export { eloChart } from "./charts/elo-chart.js";
export { emotionPcaChart } from "./charts/emotion-pca-chart.js";
export { intransitiveTriadsChart } from "./charts/intransitive-triads-chart.js";
export { layerSweepChart } from "./charts/layer-sweep-chart.js";
export { offLabelMassChart } from "./charts/off-label-mass-chart.js";
export { positionBiasChart } from "./charts/position-bias-chart.js";
export { probeEloScatterChart } from "./charts/probe-elo-scatter-chart.js";
export { rVsValenceChart } from "./charts/r-vs-valence-chart.js";
export { refusalsChart } from "./charts/refusals-chart.js";
export { robustnessChart } from "./charts/robustness-chart.js";
export { shiftVsRChart } from "./charts/shift-vs-r-chart.js";
export { steeringShiftChart } from "./charts/steering-shift-chart.js";
export { winMatrixChart } from "./charts/win-matrix-chart.js";
export { toCsv } from "./csv.js";
export { escapeHtml } from "./html/escape-html.js";
export { jsonForScript } from "./html/script-json.js";
export { type RenderedReport, type RenderReportOptions, renderReport } from "./render-report.js";
export type { ChartRow, ChartValue, ReportChart } from "./report-chart.js";
export {
  GUARD_THRESHOLDS,
  type ReportFindings,
  reportFindings,
  summarySentences,
  summaryWarnings,
} from "./report-findings.js";
export { type ReportSection, reportSections } from "./report-sections.js";
export { loadRunArtifacts, type RunArtifacts } from "./run-artifacts.js";
export { escapeMarkdown, summaryMarkdown } from "./summary-markdown.js";
