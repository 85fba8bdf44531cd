import { InterruptedError } from "@pva/core";

/**
 * Ctrl-C (SIGINT) and SIGTERM handling for a long command: while `task` runs, the first one aborts
 * the signal it is given, which every long library call takes, so they stop taking new work,
 * finish the record in flight and throw @pva/core's InterruptedError; a second one exits at once.
 * The handlers go when the task settles, so commands run one after another in one process (the
 * cli's own tests, a program calling runCli) neither pile up handlers nor answer a later signal
 * for a command that has ended.
 */
export async function withInterruptSignal<T>(
  write: (line: string) => void,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const handlers = (["SIGINT", "SIGTERM"] as const).map((name) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(130);
      write(
        name === "SIGINT"
          ? "pva: stopping after the current record (Ctrl-C again to quit now)"
          : "pva: SIGTERM, stopping after the current record (send it again to quit now)",
      );
      controller.abort();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  try {
    return await task(controller.signal);
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}

/**
 * An interruption as the user is told it: a library call names itself ("vectors" inside
 * robustness, "elicit" inside steer), the message names the pipeline stage, whose command resumes
 * it. Any other error is returned as it is.
 */
export function asStageInterruption(error: unknown, stage: string): unknown {
  return error instanceof InterruptedError && error.stage !== stage ? new InterruptedError(stage) : error;
}
