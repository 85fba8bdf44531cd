import { createRequire } from "node:module";
import { Command } from "commander";
import { analyzeCommand } from "./commands/analyze-command.js";
import { elicitCommand } from "./commands/elicit-command.js";
import { initCommand } from "./commands/init-command.js";
import { modelCommand } from "./commands/model-command.js";
import { prefsCommand } from "./commands/prefs-command.js";
import { probeCommand } from "./commands/probe-command.js";
import { reportCommand } from "./commands/report-command.js";
import { runCommand } from "./commands/run-command.js";
import { steerCommand } from "./commands/steer-command.js";
import { storiesCommand } from "./commands/stories-command.js";
import { vectorsCommand } from "./commands/vectors-command.js";
import { reportUsageErrors } from "./errors.js";
import { examples } from "./help-examples.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** The `pva` command line: one subcommand per file in commands/. */
export function createProgram(): Command {
  const program = new Command("pva")
    .description(
      "preference versus activation: which tasks a language model prefers, and what its emotion directions say about it",
    )
    .version(version)
    // Declared once, here: commander reads a program option after the subcommand too
    // (`pva run x --verbose`), and every command's help lists it under "Global Options".
    .option("--verbose", "show stack traces of errors")
    .addHelpText(
      "after",
      examples(
        "pva init my-study                          # a starter study to edit: study.json, activities.csv",
        "pva run experiments/smoke                  # whole pipeline on random weights, seconds",
        "pva run experiments/emotion-preferences    # the published study on SmolLM2-360M-Instruct",
        "pva report runs/smoke-0123456789ab          # re-render a run's report",
        "pva model info builtin:random-tiny",
      ),
    )
    .addCommand(initCommand())
    .addCommand(runCommand())
    .addCommand(elicitCommand())
    .addCommand(vectorsCommand())
    .addCommand(probeCommand())
    .addCommand(analyzeCommand())
    .addCommand(steerCommand())
    .addCommand(reportCommand())
    .addCommand(prefsCommand())
    .addCommand(storiesCommand())
    .addCommand(modelCommand());
  return reportUsageErrors(program);
}
