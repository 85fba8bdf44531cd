import {
  contentHash,
  isReproducibleArtifact,
  noRunResultsError,
  presentRunResults,
  RUN_FILES,
} from "@pva/core";
import { renderReport } from "@pva/report";
import { manifestStage } from "./manifest-stage.js";
import type { PipelineContext } from "./pipeline-context.js";

/** Renders `report/` (HTML, charts, summary) from the run folder's artifacts. */
export async function reportStage(ctx: PipelineContext): Promise<void> {
  // A folder that was never run is an error, not an empty report (and loads no model for a manifest).
  if ((await presentRunResults(ctx.folder.dir)).length === 0) throw noRunResultsError(ctx.folder.dir);
  const manifest = await manifestStage(ctx, isReproducibleArtifact);
  const inputs = contentHash({ configHash: manifest.configHash, artifacts: manifest.artifacts });
  if (await ctx.folder.finished("report", inputs)) {
    ctx.progress.line("report: up to date");
    return;
  }
  const bar = ctx.progress.stage("report", "charts");
  const rendered = await renderReport(ctx.folder.dir);
  bar.update(rendered.charts.length, rendered.charts.length);
  bar.finish(rendered.html);
  await ctx.folder.finish("report", inputs, [RUN_FILES.report]);
}
