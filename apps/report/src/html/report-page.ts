import type { RunManifest } from "@pva/core";
import { toCsv } from "../csv.js";
import type { ReportChart } from "../report-chart.js";
import { type ReportFindings, summaryWarnings } from "../report-findings.js";
import type { ReportSection } from "../report-sections.js";
import { escapeHtml } from "./escape-html.js";
import { jsonForScript } from "./script-json.js";

export interface ReportPageInput {
  title: string;
  findings: ReportFindings;
  sentences: string[];
  sections: ReportSection[];
  /** Parts of a full run this folder lacks, named for the reader. */
  missing: string[];
  manifest: RunManifest | null;
  /** vega, vega-lite and vega-embed browser builds, in load order. */
  bundles: string[];
}

// No network at all: scripts and styles are inline, CSV links are data: URLs. Vega compiles its
// expressions with `new Function`, hence 'unsafe-eval'.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'";

const STYLE = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 0 auto; max-width: 1280px; box-sizing: border-box; padding: 1rem 1.5rem 4rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2rem; margin-top: 2.5rem; }
h3 { margin: 0 0 0.2rem; font-size: 1.05rem; }
.banner { background: #b00020; color: white; font-weight: bold; font-size: 1.2rem; padding: 0.9rem 1.2rem; border-radius: 4px; margin: 1rem 0; }
.summary { background: #f4f6fa; border-left: 4px solid #4e79a7; padding: 0.6rem 1.2rem; }
.summary li { margin: 0.35rem 0; }
.summary li:first-child { font-weight: bold; }
nav a { margin-right: 1rem; }
figure { margin: 1.5rem 0 2.5rem; }
figcaption p { margin: 0.2rem 0 0.4rem; color: #444; max-width: 60rem; }
.chart { overflow-x: auto; max-width: 100%; }
a.csv { font-size: 0.9rem; }
table.manifest td, table.manifest th { text-align: left; padding: 0.15rem 0.8rem 0.15rem 0; vertical-align: top; font-size: 0.9rem; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
.missing { color: #666; font-style: italic; }
`;

// Draws every chart from its JSON spec; a chart that fails says so in place and on the console.
const BOOT = `
for (const holder of document.querySelectorAll("div.chart[data-spec]")) {
  const spec = JSON.parse(document.getElementById(holder.dataset.spec).textContent);
  vegaEmbed(holder, spec, { mode: "vega-lite", renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } })
    .catch((error) => { holder.textContent = "This chart could not be drawn: " + error.message; console.error(error); });
}
`;

function csvLink(chart: ReportChart): string {
  const href = `data:text/csv;charset=utf-8,${encodeURIComponent(toCsv(chart.rows))}`;
  return `<a class="csv" download="${escapeHtml(chart.id)}.csv" href="${escapeHtml(href)}">Download the data (CSV, ${chart.rows.length} rows)</a>`;
}

function chartFigure(chart: ReportChart): string {
  const specId = `spec-${chart.id}`;
  return [
    `<figure id="chart-${escapeHtml(chart.id)}">`,
    `<figcaption><h3>${escapeHtml(chart.title)}</h3><p>${escapeHtml(chart.caption)}</p>${csvLink(chart)}</figcaption>`,
    `<div class="chart" data-spec="${escapeHtml(specId)}"></div>`,
    `<script type="application/json" id="${escapeHtml(specId)}">${jsonForScript(chart.spec)}</script>`,
    "</figure>",
  ].join("\n");
}

/**
 * The run's provenance. `createdAt` is left out: it is the one fact that differs between two runs
 * of the same study, and leaving it out keeps their reports byte-identical (it stays in manifest.json).
 */
function manifestSection(manifest: RunManifest | null): string {
  if (!manifest) return `<p class="missing">This run folder has no manifest.json.</p>`;
  const { createdAt: _createdAt, ...timeless } = manifest;
  const rows: [string, string][] = [
    ["pva", manifest.pva],
    ["Node.js", manifest.node],
    ["study", manifest.study],
    [
      "model",
      `${manifest.model.id}${manifest.model.architecture ? ` (${manifest.model.architecture})` : ""}`,
    ],
    ["model hash", manifest.model.hash],
    ["seed", String(manifest.seed)],
    ["config hash", manifest.configHash],
    ...Object.entries(manifest.packages).map(([name, version]): [string, string] => [name, version]),
    ...Object.entries(manifest.artifacts).map(([name, hash]): [string, string] => [name, `sha256 ${hash}`]),
  ];
  const table = rows
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("\n");
  return `<table class="manifest">\n${table}\n</table>\n<details><summary>manifest.json</summary><pre>${escapeHtml(JSON.stringify(timeless, null, 2))}</pre></details>`;
}

/** The self-contained report page. Every piece of run data passes through escapeHtml or jsonForScript. */
export function reportPage(input: ReportPageInput): string {
  const { findings } = input;
  const banner = summaryWarnings(findings)
    .map((warning) => `<div class="banner" role="alert">${escapeHtml(warning)}</div>`)
    .join("\n");
  const nav = input.sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join("");
  const missing =
    input.missing.length > 0
      ? `<p class="missing">Not in this run folder, so left out: ${escapeHtml(input.missing.join("; "))}.</p>`
      : "";
  const sections = input.sections
    .map(
      (s) =>
        `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.charts.map(chartFigure).join("\n")}\n</section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(input.title)}</h1>
${banner}
<section id="summary" class="summary"><ul>
${input.sentences.map((s) => `<li>${escapeHtml(s)}</li>`).join("\n")}
</ul></section>
<nav>${nav}<a href="#manifest">Run manifest</a></nav>
${missing}
</header>
<main>
${sections}
<section id="manifest">
<h2>Run manifest</h2>
${manifestSection(input.manifest)}
</section>
</main>
${input.bundles.map((code) => `<script>${code}</script>`).join("\n")}
<script>${BOOT}</script>
</body>
</html>
`;
}
