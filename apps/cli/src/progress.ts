import cliProgress from "cli-progress";

export interface StageProgress {
  /** Sets the absolute count of items done (resumed ones included) and failures so far. */
  update(done: number, total: number, failures?: number): void;
  /** Ends the stage with a one-line summary. */
  finish(note?: string): void;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/**
 * Progress for the long stages, on stderr so stdout stays for results. On a terminal each stage
 * draws a bar (done/total, rate, ETA, failures); elsewhere (CI, pipes) only one line per stage is
 * written when it ends, so logs stay short.
 */
export class ProgressReporter {
  private readonly tty: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(stream.isTTY) && process.env.CI === undefined;
  }

  /** A line of its own (a skipped stage, a warning). */
  line(text: string): void {
    this.stream.write(`${text}\n`);
  }

  stage(name: string, unit: string): StageProgress {
    const started = performance.now();
    let last = { done: 0, total: 0, failures: 0 };
    const bar = this.tty
      ? new cliProgress.SingleBar(
          {
            stream: this.stream,
            format: `${name.padEnd(12)} [{bar}] {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted} | {failures} failed`,
            barsize: 24,
            etaBuffer: 50,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    let startedBar = false;
    let firstDone: number | null = null;
    return {
      update: (done, total, failures = 0) => {
        last = { done, total, failures };
        firstDone ??= done;
        if (!bar) return;
        const seconds = (performance.now() - started) / 1000;
        const rate = seconds > 0 ? ((done - firstDone) / seconds).toFixed(1) : "0";
        if (!startedBar) {
          bar.start(total, done, { rate, failures });
          startedBar = true;
        } else {
          bar.setTotal(total);
          bar.update(done, { rate, failures });
        }
      },
      finish: (note) => {
        if (bar && startedBar) bar.stop();
        const seconds = (performance.now() - started) / 1000;
        const failed = last.failures > 0 ? `, ${last.failures} failed` : "";
        const count = last.total > 0 ? `${last.done}/${last.total} ${unit}` : "done";
        this.line(`${name}: ${count}${failed} in ${formatSeconds(seconds)}${note ? ` (${note})` : ""}`);
      },
    };
  }
}
