import { exitCodeOf, formatError, HelpShown } from "./errors.js";
import { createProgram } from "./program.js";

/**
 * Runs `pva` on `argv` (as process.argv: node, script, args...) and returns its exit status; an
 * error is the one `pva:` line on stderr. main.ts is this and nothing else, so a test can run the
 * command in-process exactly as users run it.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes("--verbose");
  try {
    await createProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof HelpShown) return error.exitCode;
    process.stderr.write(`${formatError(error, verbose)}\n`);
    return exitCodeOf(error);
  }
}
