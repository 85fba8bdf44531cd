import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// What @pva/report exports (values and types), read from src/index.ts by scripts/public-names.mjs.
// Adding a name here is a decision to support it for users and other packages; remove what no
// one outside the package needs instead of exporting it "just in case".
const PUBLIC = [
  "ChartRow",
  "ChartValue",
  "DEFAULT_FONT_FILES",
  "GUARD_THRESHOLDS",
  "RenderReportOptions",
  "RenderedReport",
  "ReportChart",
  "ReportFindings",
  "ReportSection",
  "RunArtifacts",
  "chartFontFiles",
  "chartSvg",
  "correlationChart",
  "doseResponseChart",
  "eloChart",
  "emotionPcaChart",
  "escapeHtml",
  "escapeMarkdown",
  "intransitiveTriadsChart",
  "jsonForScript",
  "layerSweepChart",
  "loadRunArtifacts",
  "offLabelMassChart",
  "positionBiasChart",
  "probeEloScatterChart",
  "rVsValenceChart",
  "refusalsChart",
  "renderReport",
  "reportFindings",
  "reportSections",
  "robustnessChart",
  "shiftVsRChart",
  "steeringShiftChart",
  "summaryMarkdown",
  "summarySentences",
  "summaryWarnings",
  "svgToPng",
  "toCsv",
  "winMatrixChart",
];

const reader = new URL("../../../scripts/public-names.mjs", import.meta.url);

it("exports exactly its public names", async () => {
  const { publicNames } = await import(reader.href);
  expect(await publicNames(fileURLToPath(new URL("./index.ts", import.meta.url)))).toEqual(PUBLIC);
});
