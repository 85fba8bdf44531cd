import {
  contentHash,
  isReproducibleArtifact,
  noRunResultsError,
  presentRunResults,
  RUN_FILES,
} from "@pva/core";
import { renderReport } from "@pva/report";
import { artifactHashes } from "./manifest-stage.js";
import type { RunFolderContext } from "./pipeline-context.js";

/**
 * Renders `report/` (HTML, charts, summary) from the run folder's artifacts. It reads only the
 * folder, so `pva run`, `pva report <study>` and `pva report <run folder>` all run this one stage.
 */
export async function reportStage(ctx: RunFolderContext): Promise<void> {
  // A folder that was never run is an error, not an empty report (and loads no model for a manifest).
  if ((await presentRunResults(ctx.folder.dir)).length === 0) throw noRunResultsError(ctx.folder.dir);
  const manifest = await ctx.writeManifest(isReproducibleArtifact);
  // A run folder without a manifest (a run killed before it wrote one) has no config hash: the
  // report is then drawn from its artifacts alone, and they are all its inputs.
  const inputs = contentHash({
    configHash: manifest?.configHash ?? null,
    artifacts: manifest?.artifacts ?? (await artifactHashes(ctx.folder, isReproducibleArtifact)),
  });
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
