import { contentHash } from "@pva/core";
import { renderReport } from "@pva/report";
import { manifestStage } from "./manifest-stage.js";
import type { PipelineContext } from "./pipeline-context.js";
import { CHOICES_FILE } from "./preferences-stage.js";

const REPORT_DIR = "report";

/**
 * Files whose bytes are the same on every run of the same study: everything but the raw choice
 * records (they carry timings) and the report itself. The manifest the report shows lists these,
 * so the report is byte-identical across runs; the final manifest adds the rest.
 */
function isReproducible(file: string): boolean {
  return file !== CHOICES_FILE && !file.startsWith(`${REPORT_DIR}/`);
}

/** Renders `report/` (HTML, charts, summary) from the run folder's artifacts. */
export async function reportStage(ctx: PipelineContext): Promise<void> {
  const manifest = await manifestStage(ctx, isReproducible);
  const inputs = contentHash({ configHash: manifest.configHash, artifacts: manifest.artifacts });
  if (await ctx.folder.finished("report", inputs)) {
    ctx.progress.line("report: up to date");
    return;
  }
  const bar = ctx.progress.stage("report", "charts");
  const rendered = await renderReport(ctx.folder.dir);
  bar.update(rendered.charts.length, rendered.charts.length);
  bar.finish(rendered.html);
  await ctx.folder.finish("report", inputs, [REPORT_DIR]);
}
