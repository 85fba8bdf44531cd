import type { PipelineContext } from "./pipeline-context.js";

/** True when the file a stage reads exists; otherwise says why the stage is skipped. */
export async function hasInput(ctx: PipelineContext, stage: string, file: string): Promise<boolean> {
  if ((await ctx.folder.fileHash(file)) !== null) return true;
  ctx.progress.line(`${stage}: skipped, no ${file} in the run folder`);
  return false;
}
