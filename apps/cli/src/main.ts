#!/usr/bin/env node
import { exitCodeOf, formatError } from "./errors.js";
import { createProgram } from "./program.js";

const verbose = process.argv.includes("--verbose");
try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${formatError(error, verbose)}\n`);
  process.exitCode = exitCodeOf(error);
}
