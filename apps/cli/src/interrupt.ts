import { InterruptedError } from "./errors.js";

/**
 * Ctrl-C handling for a long command: the first SIGINT aborts the returned signal, so stages stop
 * taking new work and finish the record in flight; a second one exits at once.
 */
export function interruptSignal(write: (line: string) => void): AbortSignal {
  const controller = new AbortController();
  process.on("SIGINT", () => {
    if (controller.signal.aborted) process.exit(130);
    write("pva: stopping after the current record (Ctrl-C again to quit now)");
    controller.abort();
  });
  return controller.signal;
}

/** Throws InterruptedError when the signal has fired, naming the stage that was cut short. */
export function throwIfInterrupted(signal: AbortSignal | undefined, stage: string): void {
  if (signal?.aborted) throw new InterruptedError(stage);
}
