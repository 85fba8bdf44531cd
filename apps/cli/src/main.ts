#!/usr/bin/env node
import { exitCodeOf, formatError, HelpShown } from "./errors.js";
import { createProgram } from "./program.js";

const verbose = process.argv.includes("--verbose");
try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof HelpShown) process.exitCode = error.exitCode;
  else {
    process.stderr.write(`${formatError(error, verbose)}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
