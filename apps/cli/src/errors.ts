import { InterruptedError, PvaError, redactUrl } from "@pva/core";
import type { Command, CommanderError } from "commander";
import { pvaCommand } from "./help-examples.js";

/** `--help` or `--version` was shown (or a command group's help, for a missing subcommand): nothing to report. */
export class HelpShown extends Error {
  constructor(readonly exitCode: number) {
    super("help shown");
    this.name = "HelpShown";
  }
}

/** A command as typed after `pva`: `report`, `model info`; empty for `pva` itself. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Sets up `command` and every subcommand of it alike: help lists the global options (--verbose,
 * declared once on the program), and commander's parse errors (unknown option, an option the
 * command does not take, a missing argument, a bad value) become ordinary user errors: one
 * `pva:` line naming the command, exit 2, instead of commander's own two lines and exit 1.
 */
export function reportUsageErrors(command: Command): Command {
  command.configureHelp({ showGlobalOptions: true });
  command.configureOutput({ outputError: () => {} });
  command.exitOverride((error: CommanderError) => {
    if (["commander.helpDisplayed", "commander.help", "commander.version"].includes(error.code))
      throw new HelpShown(error.exitCode);
    const path = commandPath(command);
    // Commander repeats a rejected value as it was typed ("argument 'http://u:pw@h' is invalid."):
    // it is quoted with any URL secrets redacted.
    const what = error.message
      .replace(/^error: /, "")
      .replace(
        /^(option '[^']+' argument ')([\s\S]*)(' is invalid\.)/,
        (_m, head, value, tail) => `${head}${redactUrl(value)}${tail}`,
      )
      .replace(/\s*\n\s*/g, " ");
    const pva = pvaCommand();
    const help = path === "" ? `${pva} --help` : `${pva} ${path} --help`;
    throw new PvaError(`${path === "" ? "" : `${path}: `}${what} (see ${help})`, "E_USAGE");
  });
  for (const sub of command.commands) reportUsageErrors(sub);
  return command;
}

/** Exit status for an error: 130 for Ctrl-C (the shell's convention), 2 for user errors, 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof InterruptedError) return 130;
  if (error instanceof PvaError) return 2;
  return 1;
}

/**
 * The one line a user sees for an error. User errors (PvaError and its InputError) are their own
 * message; anything else is a bug or an environment failure, shown with its class so it can be
 * reported. The stack is added only when asked for (`--verbose`).
 */
export function formatError(error: unknown, verbose: boolean): string {
  const err = error instanceof Error ? error : new Error(String(error));
  // Several problems found at once (StudyProblems): one `pva:` line each.
  const lines = "problems" in err && Array.isArray(err.problems) ? (err.problems as string[]) : undefined;
  const line = err instanceof PvaError ? err.message : `${err.name}: ${err.message}`;
  const oneLine = lines
    ? lines.map((problem) => `pva: ${problem.replace(/\s*\n\s*/g, " ")}`).join("\n")
    : `pva: ${line.replace(/\s*\n\s*/g, " ")}`;
  return verbose && err.stack ? `${oneLine}\n${err.stack}` : oneLine;
}
