import { stat } from "node:fs/promises";
import { join } from "node:path";
import { PvaError, RUN_FILES } from "@pva/core";
import { Command } from "commander";
import { examples } from "../help-examples.js";
import { withInterruptSignal } from "../interrupt.js";
import { runStages, runStagesOnFolder } from "../run-stages.js";
import { optionsOf, STAGES, stagesFor } from "../stages/study-stages.js";
import { type StudyOptions, withStudyOptions } from "../study-options.js";

const stderrLine = (line: string) => process.stderr.write(`${line}\n`);

async function isRunFolder(path: string): Promise<boolean> {
  const has = (name: string) =>
    stat(join(path, name)).then(
      () => true,
      () => false,
    );
  return (await has(RUN_FILES.manifest)) || (await has(RUN_FILES.stageLog));
}

export const reportCommand = () =>
  withStudyOptions(
    new Command("report")
      .description(
        "render a run's report (report/index.html, charts as SVG and PNG, summary.md) from what it holds",
      )
      .argument("<run-or-study>", "a run folder (runs/<study>-<hash>) or a study folder"),
    optionsOf(stagesFor("report")),
  )
    .addHelpText(
      "after",
      examples(
        "pva report runs/emotion-preferences-0123456789ab",
        "pva report experiments/smoke --out /tmp/runs",
      ),
    )
    .action(async (target: string, opts: StudyOptions) => {
      if (await isRunFolder(target)) {
        if (opts.out !== undefined)
          throw new PvaError(
            `--out places a study's run folders; ${target} is a run folder, whose report goes into ${join(target, RUN_FILES.report)}`,
            "E_USAGE",
          );
        // The report stage as `pva run` runs it, on the folder alone: under the run's own lock (never
        // a report rendered while a run writes the folder), skipped when up to date, and the
        // manifest (written last) lists the report as it now is.
        const ctx = await withInterruptSignal(stderrLine, (signal) =>
          runStagesOnFolder(target, [STAGES.report], signal),
        );
        process.stdout.write(`${join(ctx.folder.dir, RUN_FILES.report, "index.html")}\n`);
        return;
      }
      const ctx = await withInterruptSignal(stderrLine, (signal) =>
        runStages(target, opts, stagesFor("report"), signal),
      );
      process.stdout.write(`${join(ctx.study.runDir, RUN_FILES.report, "index.html")}\n`);
    });
