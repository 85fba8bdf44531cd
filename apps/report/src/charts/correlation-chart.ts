import type { CorrelationResult } from "@pva/core";
import { clusterColour } from "../chart-encodings.js";
import { byRank, chartConfig, round } from "../chart-theme.js";
import type { ReportChart } from "../report-chart.js";

/**
 * The study's Figure 4: probe-preference Pearson r of every emotion, highest first, with its
 * bootstrap interval, coloured by cluster; bars that survive the FDR correction are solid, the
 * rest faded. The tick is the partial r controlling for the activity text's sentiment.
 */
export function correlationChart(correlations: CorrelationResult, fdrAlpha: number): ReportChart {
  const rows = [...correlations.emotions]
    .sort((x, y) => y.pearson - x.pearson || (x.emotion < y.emotion ? -1 : 1))
    .map((e, i) => ({
      rank: i + 1,
      emotion: e.emotion,
      cluster: e.cluster,
      pearson: round(e.pearson),
      // analysis.bootstrap 0: no interval, drawn as none (zero width at r)
      low: round(e.pearsonCi?.[0] ?? e.pearson),
      high: round(e.pearsonCi?.[1] ?? e.pearson),
      spearman: round(e.spearman),
      partialPearson: round(e.partialPearson),
      pPermutation: round(e.pPermutation, 4),
      q: round(e.q, 4),
      significant: e.q < fdrAlpha ? `q < ${fdrAlpha}` : `q >= ${fdrAlpha}`,
    }));
  // correlate leaves these out of the FDR count, so the caption's count of tests does too.
  const undefinedR = correlations.emotions.filter((e) => e.note !== undefined).map((e) => e.emotion);
  const tested = correlations.emotions.length - undefinedR.length;
  const undefinedNote =
    undefinedR.length > 0
      ? ` No correlation is defined for ${undefinedR.map((e) => `"${e}"`).join(", ")} (probe score or Elo constant across activities): drawn at r = 0.`
      : "";
  // 171 bars need thin bars and small labels (6.5 px keeps them within a 1280 px page); a study of a
  // few emotions gets room to read them.
  const step = rows.length <= 20 ? 30 : rows.length <= 60 ? 14 : 6.5;
  const wide = rows.length > 60;
  const x = {
    field: "emotion",
    type: "nominal" as const,
    sort: byRank,
    title: null,
    axis: { labelAngle: -90, labelFontSize: step >= 14 ? 10 : 7, labelPadding: 2 },
  };
  const tooltip = [
    { field: "emotion" },
    { field: "cluster" },
    { field: "pearson", title: "r" },
    { field: "low", title: "CI low" },
    { field: "high", title: "CI high" },
    { field: "partialPearson", title: "partial r (sentiment)" },
    { field: "spearman", title: "Spearman rho" },
    { field: "q", title: "BH q" },
  ];
  return {
    id: "correlation",
    title: "Probe score vs preference, per emotion",
    caption: `Pearson r between each emotion's probe score and Elo across ${correlations.activities} activities (layer ${correlations.layer}, ${correlations.readout} readout), with ${correlations.bootstrap}-resample bootstrap intervals (activities resampled, Elo held at the full fit). Solid bars: Benjamini-Hochberg q < ${fdrAlpha} over ${tested} emotions (${correlations.permutations} permutations). Black ticks: partial r controlling for the text's lexicon sentiment.${undefinedNote}`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: { step },
      height: 300,
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            x,
            y: {
              field: "pearson",
              type: "quantitative",
              title: "Pearson r (probe score, Elo)",
              scale: { domain: [-1, 1] },
            },
            // With many bars both legends sit above them, so that the chart fits the page.
            color: {
              ...clusterColour(rows),
              legend: wide ? { orient: "top", direction: "horizontal", columns: 5 } : {},
            },
            // The legend shows what the bars show: one bar colour, solid or faded.
            opacity: {
              field: "significant",
              type: "ordinal",
              scale: { domain: [`q < ${fdrAlpha}`, `q >= ${fdrAlpha}`], range: [1, 0.3] },
              title: "Benjamini-Hochberg",
              legend: {
                ...(wide ? { orient: "top" as const } : {}),
                symbolType: "square",
                symbolFillColor: "#4e79a7",
                symbolStrokeWidth: 0,
              },
            },
            tooltip,
          },
        },
        {
          mark: { type: "rule", color: "#333", strokeWidth: 1 },
          encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" }, tooltip },
        },
        {
          mark: { type: "tick", color: "black", thickness: 1.5, size: Math.max(step - 1, 3) },
          encoding: { x, y: { field: "partialPearson", type: "quantitative" }, tooltip },
        },
      ],
    },
  };
}
