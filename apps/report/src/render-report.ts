import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  isReproducibleArtifact,
  noRunResultsError,
  RUN_FILES,
  type RunFileName,
  writeFileAtomic,
} from "@pva/core";
import type { TopLevelSpec } from "vega-lite";
import { chartFontFiles } from "./chart-font.js";
import { chartSvg, svgToPng } from "./chart-images.js";
import { reportPage } from "./html/report-page.js";
import { readVegaBundles } from "./html/vega-bundles.js";
import { reportFindings, summarySentences } from "./report-findings.js";
import { reportSections } from "./report-sections.js";
import { loadRunArtifacts, type RunArtifacts } from "./run-artifacts.js";
import { summaryMarkdown } from "./summary-markdown.js";

export interface RenderReportOptions {
  /** Output folder; default `<runDir>/report`. */
  outDir?: string;
  /** Write PNGs beside the SVGs (default true). */
  png?: boolean;
  /** PNG pixels per SVG pixel (default 2, sharp on high-density screens and in print). */
  pngScale?: number;
  /** Font files the PNGs are drawn with; default DejaVu Sans from the dejavu-fonts-ttf package. */
  fontFiles?: string[];
}

export interface RenderedReport {
  /** Path of `index.html`. */
  html: string;
  /** Path of `summary.md`. */
  summary: string;
  /** Paths of the chart files, SVG then PNG per chart, in report order. */
  charts: string[];
}

/**
 * What the page names when a part of the run is missing, in the order it names them. The file
 * names come from the run layout (RUN_FILES), the one place they are spelled.
 */
const EXPECTED: { part: keyof RunArtifacts; file: RunFileName; what: string }[] = [
  { part: "manifest", file: "manifest", what: "the run manifest" },
  { part: "preferences", file: "preferences", what: "preferences" },
  { part: "choices", file: "choices", what: "the raw answers" },
  { part: "vectors", file: "vectorsMeta", what: "emotion vectors" },
  { part: "probes", file: "probes", what: "probe scores" },
  { part: "correlations", file: "correlations", what: "correlations" },
  { part: "robustness", file: "robustness", what: "the robustness panel" },
  { part: "steering", file: "steering", what: "steering" },
];

/**
 * Renders the report of a run folder: `report/index.html` (self-contained, interactive),
 * `report/charts/<id>.svg|png` and `report/summary.md`. The same artifacts give the same bytes.
 * Bad artifacts are InputErrors naming the file and field; missing ones leave their charts out.
 */
export async function renderReport(runDir: string, opts: RenderReportOptions = {}): Promise<RenderedReport> {
  const loaded = await loadRunArtifacts(runDir);
  const { preferences, vectors, probes, correlations, steering } = loaded;
  if ([preferences, vectors, probes, correlations, steering].every((part) => part === null))
    throw noRunResultsError(runDir);
  // The page shows the manifest's reproducible artifacts only: the final manifest of a run also
  // lists choices.jsonl and the report's own files, and a report re-rendered from it must be the
  // same bytes as the one the run wrote before them.
  const artifacts: RunArtifacts = loaded.manifest
    ? {
        ...loaded,
        manifest: {
          ...loaded.manifest,
          artifacts: Object.fromEntries(
            Object.entries(loaded.manifest.artifacts).filter(([file]) => isReproducibleArtifact(file)),
          ),
        },
      }
    : loaded;
  const wantPng = opts.png ?? true;
  const fontFiles = wantPng ? await chartFontFiles(opts.fontFiles) : [];
  const findings = reportFindings(artifacts);
  const sections = reportSections(artifacts, findings.fdrAlpha);
  const sentences = summarySentences(findings);
  const title = `pva report: ${artifacts.manifest?.config.name ?? findings.model}`;
  const missing = EXPECTED.filter(({ part }) => artifacts[part] === null).map(
    ({ file, what }) => `${what} (${RUN_FILES[file]})`,
  );

  const outDir = opts.outDir ?? join(runDir, RUN_FILES.report);
  const chartDir = join(outDir, "charts");
  // Charts of an earlier render that this one no longer draws must not linger beside the new ones.
  await rm(chartDir, { recursive: true, force: true });
  await mkdir(chartDir, { recursive: true });
  const charts: string[] = [];
  const pngsWritten: Promise<void>[] = [];
  for (const chart of sections.flatMap((s) => s.charts)) {
    // A file travels without the page's heading, so the image carries the chart's title itself.
    const svg = await chartSvg({ ...chart.spec, title: chart.title } as TopLevelSpec);
    const svgFile = join(chartDir, `${chart.id}.svg`);
    // Atomic like the page: a render killed mid-write leaves no chart cut short, at most a
    // dot-named temporary file that listings skip and removeTemporaryFiles clears.
    await writeFileAtomic(svgFile, svg);
    charts.push(svgFile);
    if (wantPng) {
      const pngFile = join(chartDir, `${chart.id}.png`);
      pngsWritten.push(
        svgToPng(svg, fontFiles, opts.pngScale ?? 2).then((png) => writeFileAtomic(pngFile, png)),
      );
      charts.push(pngFile);
    }
  }
  await Promise.all(pngsWritten);
  const html = join(outDir, "index.html");
  const bundles = await readVegaBundles();
  // The page and the summary are replaced whole, so a browser reloading mid-render sees the old or new page.
  await writeFileAtomic(
    html,
    reportPage({ title, findings, sentences, sections, missing, manifest: artifacts.manifest, bundles }),
  );
  const summary = join(outDir, "summary.md");
  await writeFileAtomic(summary, summaryMarkdown(title, findings, sections));
  return { html, summary, charts };
}
