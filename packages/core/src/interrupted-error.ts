import { PvaError } from "./errors.js";

/**
 * A long call stopped because its AbortSignal fired (Ctrl-C in the cli): it finished the unit of
 * work in flight (the answer, text or tournament), recorded what it had, and started no more.
 * What was recorded is kept, so the same call again resumes. `stage` names what was cut short.
 */
export class InterruptedError extends PvaError {
  readonly stage: string;

  constructor(stage: string) {
    super(
      `interrupted during ${stage}; what was recorded is kept, run the same command again to resume`,
      "E_INTERRUPTED",
    );
    this.name = "InterruptedError";
    this.stage = stage;
  }
}

/** Throws InterruptedError when `signal` has fired: the check a long call makes between units of work. */
export function throwIfInterrupted(signal: AbortSignal | undefined, stage: string): void {
  if (signal?.aborted) throw new InterruptedError(stage);
}
