import { InterruptedError } from "@pva/core";

/**
 * Ctrl-C (SIGINT) and SIGTERM handling for a long command: the first one aborts the returned
 * signal, which every long library call takes, so they stop taking new work, finish the record in
 * flight and throw @pva/core's InterruptedError; a second one exits at once.
 */
export function interruptSignal(write: (line: string) => void): AbortSignal {
  const controller = new AbortController();
  for (const name of ["SIGINT", "SIGTERM"] as const)
    process.on(name, () => {
      if (controller.signal.aborted) process.exit(130);
      write(
        name === "SIGINT"
          ? "pva: stopping after the current record (Ctrl-C again to quit now)"
          : "pva: SIGTERM, stopping after the current record (send it again to quit now)",
      );
      controller.abort();
    });
  return controller.signal;
}

/**
 * An interruption as the user is told it: a library call names itself ("vectors" inside
 * robustness, "elicit" inside steer), the message names the pipeline stage, whose command resumes
 * it. Any other error is returned as it is.
 */
export function asStageInterruption(error: unknown, stage: string): unknown {
  return error instanceof InterruptedError && error.stage !== stage ? new InterruptedError(stage) : error;
}
