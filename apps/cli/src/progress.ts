import cliProgress from "cli-progress";

export interface StageProgress {
  /** Sets the absolute count of items done (resumed ones included) and failures so far. */
  update(done: number, total: number, failures?: number): void;
  /** Ends the stage with a one-line summary. */
  finish(note?: string): void;
}

/** Milliseconds on some monotonic clock; injected in tests so progress logic needs no waiting. */
export type Clock = () => number;

/** Seconds as a person reads them: "42 s", "3 min 5 s", "1 h 12 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const totalMinutes = Math.floor(seconds / 60);
  if (totalMinutes < 60) return `${totalMinutes} min ${Math.round(seconds - totalMinutes * 60)} s`;
  const hours = Math.floor(totalMinutes / 60);
  return `${hours} h ${totalMinutes - hours * 60} min`;
}

function formatElapsed(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)} s` : formatDuration(seconds);
}

/** How a rate is smoothed and when it is trusted. */
export interface RateOptions {
  /** Time constant of the exponential smoothing, in seconds (default 30). */
  timeConstantSeconds?: number;
  /** No ETA before this many new items... (default 3) */
  minItems?: number;
  /** ...and this many seconds of measuring (default 5). */
  minSeconds?: number;
}

/**
 * A rate (items per second) smoothed exponentially over time, so one fast or slow batch moves it
 * only a little, and the ETA it gives. Items that were already done when measuring began (a
 * resumed run) count toward the total but not toward the rate. The rate is unknown (null) until
 * enough new items and seconds have been seen for it to mean something.
 */
export class RateEstimator {
  private readonly tau: number;
  private readonly minItems: number;
  private readonly minSeconds: number;
  private startTime: number | null = null;
  private startDone = 0;
  private lastTime = 0;
  private lastDone = 0;
  private smoothed: number | null = null;

  constructor(opts: RateOptions = {}) {
    this.tau = opts.timeConstantSeconds ?? 30;
    this.minItems = opts.minItems ?? 3;
    this.minSeconds = opts.minSeconds ?? 5;
  }

  /** Records that `done` items are done at time `nowMs`. */
  observe(done: number, nowMs: number): void {
    if (this.startTime === null) {
      this.startTime = nowMs;
      this.startDone = done;
      this.lastTime = nowMs;
      this.lastDone = done;
      return;
    }
    const dt = (nowMs - this.lastTime) / 1000;
    if (dt <= 0) {
      // Several updates in one clock tick: fold them into the next interval.
      return;
    }
    const instant = Math.max(0, done - this.lastDone) / dt;
    if (this.smoothed === null) {
      // The first estimate is the average since the start, not one short interval.
      const elapsed = (nowMs - this.startTime) / 1000;
      this.smoothed = Math.max(0, done - this.startDone) / elapsed;
    } else {
      const weight = 1 - Math.exp(-dt / this.tau);
      this.smoothed += weight * (instant - this.smoothed);
    }
    this.lastTime = nowMs;
    this.lastDone = done;
  }

  /** Items per second, or null while it means nothing yet. */
  rate(): number | null {
    if (this.startTime === null || this.smoothed === null) return null;
    const items = this.lastDone - this.startDone;
    const seconds = (this.lastTime - this.startTime) / 1000;
    if (items < this.minItems || seconds < this.minSeconds) return null;
    return this.smoothed;
  }

  /** Seconds until `total` at the smoothed rate, or null when unknown. */
  etaSeconds(total: number): number | null {
    const rate = this.rate();
    if (rate === null || rate <= 0) return null;
    return Math.max(0, total - this.lastDone) / rate;
  }
}

/** "12/200 choices | 1.3/s | ETA 2 min 9 s | 0 failed", with "-" for what is not known yet. */
export function progressLine(
  state: { done: number; total: number; failures: number },
  unit: string,
  rate: number | null,
  etaSeconds: number | null,
): string {
  const rateText = rate === null ? "-" : rate >= 10 ? rate.toFixed(0) : rate.toFixed(1);
  const eta = etaSeconds === null ? "-" : formatDuration(etaSeconds);
  return `${state.done}/${state.total} ${unit} | ${rateText}/s | ETA ${eta} | ${state.failures} failed`;
}

export interface ProgressReporterOptions {
  stream?: NodeJS.WriteStream;
  /** Draw bars (default: when the stream is a terminal and CI is not set). */
  tty?: boolean;
  clock?: Clock;
  /** Without a terminal, a progress line at most this often while a stage runs (default 10 s). */
  lineIntervalMs?: number;
  /**
   * Without a terminal, also write the line when no update came for an interval (a slow item),
   * driven by a timer (default true; tests turn it off and call `tick`).
   */
  timer?: boolean;
  rate?: RateOptions;
}

/**
 * Progress for the long stages, on stderr so stdout stays for results. On a terminal each stage
 * draws a bar (done/total, smoothed rate, ETA, failures). Elsewhere (CI, pipes, log files) a stage
 * writes one progress line about every 10 seconds while it runs, and a summary line when it ends,
 * so a long stage shows it is alive without flooding the log.
 */
export class ProgressReporter {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly clock: Clock;
  private readonly interval: number;
  private readonly timer: boolean;
  private readonly rateOptions: RateOptions;
  private readonly ticks = new Set<() => void>();

  constructor(o: ProgressReporterOptions = {}) {
    this.stream = o.stream ?? process.stderr;
    this.tty = o.tty ?? (Boolean(this.stream.isTTY) && process.env.CI === undefined);
    this.clock = o.clock ?? (() => performance.now());
    this.interval = o.lineIntervalMs ?? 10_000;
    this.timer = o.timer ?? true;
    this.rateOptions = o.rate ?? {};
  }

  /** A line of its own (a skipped stage, a warning, what is about to take a while). */
  line(text: string): void {
    this.stream.write(`${text}\n`);
  }

  /** Lets every running stage write its line if one is due (the timer calls this; so can tests). */
  tick(): void {
    for (const tick of this.ticks) tick();
  }

  stage(name: string, unit: string): StageProgress {
    const started = this.clock();
    const estimator = new RateEstimator(this.rateOptions);
    let last = { done: 0, total: 0, failures: 0 };
    let seen = false;
    let lastLine = started;
    let bar: cliProgress.SingleBar | null = null;

    const payload = () => {
      const rate = estimator.rate();
      const eta = estimator.etaSeconds(last.total);
      // Not named "eta": cli-progress fills {eta} itself (its own unsmoothed guess, "INF" while
      // nothing is done) and that wins over a payload key of the same name.
      return {
        smoothedRate: rate === null ? "-" : rate >= 10 ? rate.toFixed(0) : rate.toFixed(1),
        smoothedEta: eta === null ? "-" : formatDuration(eta),
        failures: last.failures,
      };
    };
    const writeLineIfDue = () => {
      if (!seen) return;
      const now = this.clock();
      if (now - lastLine < this.interval) return;
      lastLine = now;
      const rate = estimator.rate();
      this.line(`${name}: ${progressLine(last, unit, rate, estimator.etaSeconds(last.total))}`);
    };

    let timer: ReturnType<typeof setInterval> | undefined;
    if (!this.tty) {
      this.ticks.add(writeLineIfDue);
      if (this.timer) {
        timer = setInterval(writeLineIfDue, Math.max(1000, Math.floor(this.interval / 4)));
        timer.unref();
      }
    }
    const stop = () => {
      if (timer) clearInterval(timer);
      this.ticks.delete(writeLineIfDue);
    };

    return {
      update: (done, total, failures = 0) => {
        last = { done, total, failures };
        seen = true;
        estimator.observe(done, this.clock());
        if (!this.tty) {
          writeLineIfDue();
          return;
        }
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream: this.stream,
              format: `${name.padEnd(12)} [{bar}] {value}/{total} ${unit} | {smoothedRate}/s | ETA {smoothedEta} | {failures} failed`,
              barsize: 24,
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done, payload());
        } else {
          bar.setTotal(total);
          bar.update(done, payload());
        }
      },
      finish: (note) => {
        stop();
        if (bar) bar.stop();
        const seconds = (this.clock() - started) / 1000;
        const failed = last.failures > 0 ? `, ${last.failures} failed` : "";
        const count = last.total > 0 ? `${last.done}/${last.total} ${unit}` : "done";
        this.line(`${name}: ${count}${failed} in ${formatElapsed(seconds)}${note ? ` (${note})` : ""}`);
      },
    };
  }
}
