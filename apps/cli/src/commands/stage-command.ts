import { Command } from "commander";
import { examples } from "../help-examples.js";
import { withInterruptSignal } from "../interrupt.js";
import { runStages } from "../run-stages.js";
import { optionsOf, type StageEntry } from "../stages/study-stages.js";
import { type StudyOptions, withStudyOptions } from "../study-options.js";

/**
 * A command that runs pipeline stages on a study: `pva <name> <study> [options]`. Stages already
 * done in the run folder are skipped, so a stage's prerequisites cost nothing once they exist.
 * It accepts the options those stages read and no others (see STAGES).
 */
export function stageCommand(
  name: string,
  description: string,
  stages: readonly StageEntry[],
  exampleLines: string[],
): Command {
  return withStudyOptions(
    new Command(name)
      .description(description)
      .argument("<study>", "study folder (with study.json) or study file"),
    optionsOf(stages),
  )
    .addHelpText("after", examples(...exampleLines))
    .action(async (study: string, opts: StudyOptions) => {
      const ctx = await withInterruptSignal(
        (line) => process.stderr.write(`${line}\n`),
        (signal) => runStages(study, opts, stages, signal),
      );
      process.stdout.write(`${ctx.study.runDir}\n`);
    });
}
