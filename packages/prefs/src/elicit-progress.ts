export interface ElicitProgress {
  /** Answers recorded for this run so far, resumed ones included. */
  done: number;
  /** Answers the design plans (an active design may stop before). */
  total: number;
  /** Requests that failed after all retries; they are not recorded, so a re-run asks them again. */
  failures: number;
  /** The last failure's one-line cause, for the progress line. */
  lastFailure: string | null;
  /**
   * Set in the last report when the design stopped before spending what it planned, saying why
   * (e.g. "ranking stable for 2 rounds after 960 of 1,200 comparisons"); null otherwise.
   */
  stopReason: string | null;
}

/**
 * An elicitation's counts, reported to its caller's `onProgress` (if any) each time `report` is
 * called. Rates and time left are the caller's to work out from `done` over time: only it knows
 * how it wants them smoothed.
 */
export class ElicitProgressCounter {
  private done = 0;
  private failures = 0;
  private lastFailure: string | null = null;

  constructor(
    private readonly total: number,
    private readonly onProgress?: (progress: ElicitProgress) => void,
  ) {}

  /** One more answer recorded (or found in the store). */
  answered(): void {
    this.done++;
  }

  /** One request that failed after its retries, with its one-line cause. */
  failed(cause: string): void {
    this.failures++;
    this.lastFailure = cause;
  }

  report(stopReason: string | null = null): void {
    this.onProgress?.({
      done: this.done,
      total: this.total,
      failures: this.failures,
      lastFailure: this.lastFailure,
      stopReason,
    });
  }
}
