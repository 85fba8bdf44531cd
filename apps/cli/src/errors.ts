import { PvaError } from "@pva/core";

/** Ctrl-C: the run stopped after the record in flight; everything recorded so far is kept. */
export class InterruptedError extends PvaError {
  constructor(stage: string) {
    super(
      `interrupted during ${stage}; what was recorded is kept, run the same command again to resume`,
      "E_INTERRUPTED",
    );
    this.name = "InterruptedError";
  }
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
  const line = err instanceof PvaError ? err.message : `${err.name}: ${err.message}`;
  const oneLine = `pva: ${line.replace(/\s*\n\s*/g, " ")}`;
  return verbose && err.stack ? `${oneLine}\n${err.stack}` : oneLine;
}
