import type { RobustnessResult } from "@pva/core";
import { byRank, chartConfig, round } from "../chart-theme.js";
import type { ChartRow, ReportChart } from "../report-chart.js";

/**
 * The robustness panel: per analysis setting, the most positive and the most negative emotion's
 * r (a segment between them) and how many emotions pass FDR, so a reader sees whether the
 * headline survives other reasonable choices.
 */
export function robustnessChart(robustness: RobustnessResult): ReportChart | null {
  const settings = robustness.settings.filter((s) => s.top !== null && s.bottom !== null);
  if (settings.length === 0) return null;
  const rows: ChartRow[] = settings.flatMap((s, i) =>
    (["top", "bottom"] as const).map((end) => ({
      rank: i + 1,
      setting: s.label,
      id: s.id,
      forwardPasses: s.forwardPasses,
      end,
      emotion: s[end]!.emotion,
      r: round(s[end]!.r),
      significant: `${s.significant} of ${s.emotions}`,
    })),
  );
  const y = { field: "setting", type: "nominal" as const, sort: byRank, title: null };
  const tooltip = [
    { field: "setting" },
    { field: "end", title: "emotion with the" },
    { field: "emotion" },
    { field: "r" },
    { field: "significant", title: `q < ${robustness.fdrAlpha}` },
  ];
  return {
    id: "robustness",
    title: "Robustness of the correlation",
    caption: `Per analysis setting, the most negative and the most positive emotion's probe-preference r (Spearman's rho for the Spearman row), and, at the right, how many emotions have BH q < ${robustness.fdrAlpha} (${robustness.permutations} permutations each). The first row is the reported analysis; rows marked "forward passes" re-read the model. Prior, sequential Elo and Spearman rows are refits of the same choices and probe scores.`,
    rows,
    spec: {
      config: chartConfig,
      data: { values: rows },
      width: 360,
      height: { step: 22 },
      layer: [
        { mark: { type: "rule", color: "#888" }, encoding: { x: { datum: 0 } } },
        {
          mark: { type: "line", color: "#999" },
          encoding: { y, x: { field: "r", type: "quantitative" }, detail: { field: "setting" } },
        },
        {
          mark: { type: "point", filled: true, size: 50 },
          encoding: {
            y,
            x: { field: "r", type: "quantitative", title: "probe-preference r", scale: { domain: [-1, 1] } },
            color: {
              field: "end",
              type: "nominal",
              title: "emotion with the",
              scale: { domain: ["top", "bottom"], range: ["#4e79a7", "#e15759"] },
            },
            shape: {
              field: "forwardPasses",
              type: "nominal",
              title: "forward passes",
              scale: { domain: [false, true], range: ["circle", "diamond"] },
            },
            tooltip,
          },
        },
        {
          transform: [{ filter: "datum.end === 'top'" }],
          mark: { type: "text", align: "left", dx: 8, fontSize: 10, color: "#333" },
          encoding: { y, x: { datum: 1 }, text: { field: "significant" } },
        },
      ],
    },
  };
}
