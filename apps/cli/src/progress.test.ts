import { describe, expect, it } from "vitest";
import { formatDuration, ProgressReporter, RateEstimator } from "./progress.js";

/** A clock the test moves by hand, so no test waits or depends on the machine's speed. */
function manualClock(startMs = 0) {
  let now = startMs;
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

function captured() {
  const lines: string[] = [];
  let buffer = "";
  const stream = {
    isTTY: false,
    write(chunk: string) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      lines.push(...parts);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe("formatDuration", () => {
  it("reads as seconds, minutes and seconds, or hours and minutes", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(42.4)).toBe("42 s");
    expect(formatDuration(190)).toBe("3 min 10 s");
    expect(formatDuration(22 * 60)).toBe("22 min 0 s");
    expect(formatDuration(3 * 3600 + 7 * 60 + 30)).toBe("3 h 7 min");
  });
});

describe("RateEstimator", () => {
  it("gives no rate and no ETA until enough items and seconds were measured", () => {
    const rate = new RateEstimator();
    rate.observe(0, 0);
    expect(rate.etaSeconds(200)).toBeNull();
    rate.observe(2, 2000); // 2 items in 2 s: too few of both
    expect(rate.rate()).toBeNull();
    rate.observe(4, 4000); // 4 items but only 4 s
    expect(rate.etaSeconds(200)).toBeNull();
    rate.observe(5, 5000); // 5 items in 5 s: 1/s, 195 left
    expect(rate.rate()).toBeCloseTo(1, 12);
    expect(rate.etaSeconds(200)).toBeCloseTo(195, 9);
  });

  it("has no ETA while nothing succeeds (no 'NaN' or 'Infinity')", () => {
    const rate = new RateEstimator();
    for (let t = 0; t <= 60; t++) rate.observe(0, t * 1000);
    expect(rate.etaSeconds(200)).toBeNull();
  });

  it("counts only new items toward the rate when resuming", () => {
    const rate = new RateEstimator();
    rate.observe(100, 0); // 100 answers were already in the run folder
    for (let t = 1; t <= 10; t++) rate.observe(100 + 2 * t, t * 1000);
    expect(rate.rate()).toBeCloseTo(2, 12);
    expect(rate.etaSeconds(200)).toBeCloseTo((200 - 120) / 2, 9);
  });

  it("is smoothed: one burst barely moves it, a lasting change is followed", () => {
    const rate = new RateEstimator({ timeConstantSeconds: 30 });
    let done = 0;
    let t = 0;
    rate.observe(done, 0);
    for (; t < 60; ) rate.observe(++done, ++t * 1000); // 1 item per second for a minute
    expect(rate.rate()).toBeCloseTo(1, 12);
    done += 10;
    rate.observe(done, ++t * 1000); // ten items in one second
    const afterBurst = rate.rate() ?? 0;
    expect(afterBurst).toBeGreaterThan(1);
    expect(afterBurst).toBeLessThan(1.5); // the raw rate of that second was 10/s
    for (let k = 0; k < 300; k++) {
      done += 2;
      rate.observe(done, ++t * 1000); // 2 items per second for 10 time constants
    }
    expect(rate.rate()).toBeCloseTo(2, 3);
  });

  it("folds several updates in one clock tick into the next interval", () => {
    const rate = new RateEstimator({ minItems: 1, minSeconds: 1 });
    rate.observe(0, 0);
    rate.observe(3, 0);
    rate.observe(6, 0);
    rate.observe(6, 3000);
    expect(rate.rate()).toBeCloseTo(2, 12);
  });
});

describe("ProgressReporter without a terminal", () => {
  it("writes a progress line about every 10 s, not one per update, then a summary", () => {
    const clock = manualClock();
    const { stream, lines } = captured();
    const progress = new ProgressReporter({ stream, tty: false, clock: clock.now, timer: false });
    const stage = progress.stage("elicit", "choices");
    stage.update(0, 200);
    for (let t = 1; t <= 35; t++) {
      clock.advance(1);
      stage.update(t, 200);
    }
    stage.finish();
    expect(lines).toEqual([
      "elicit: 10/200 choices | 1.0/s | ETA 3 min 10 s | 0 failed",
      "elicit: 20/200 choices | 1.0/s | ETA 3 min 0 s | 0 failed",
      "elicit: 30/200 choices | 1.0/s | ETA 2 min 50 s | 0 failed",
      "elicit: 35/200 choices in 35.0 s",
    ]);
  });

  it("shows 'ETA -' while the rate means nothing, and a line on a tick while no update comes", () => {
    const clock = manualClock(5000);
    const { stream, lines } = captured();
    const progress = new ProgressReporter({ stream, tty: false, clock: clock.now, timer: false });
    const stage = progress.stage("elicit", "choices");
    stage.update(0, 50, 0);
    clock.advance(9);
    progress.tick();
    expect(lines).toEqual([]);
    clock.advance(3);
    progress.tick();
    expect(lines).toEqual(["elicit: 0/50 choices | -/s | ETA - | 0 failed"]);
    clock.advance(2);
    stage.update(0, 50, 3); // three failures, still nothing done
    clock.advance(10);
    progress.tick();
    expect(lines[1]).toBe("elicit: 0/50 choices | -/s | ETA - | 3 failed");
    stage.finish("stopped");
    expect(lines[2]).toBe("elicit: 0/50 choices, 3 failed in 24.0 s (stopped)");
    clock.advance(30);
    progress.tick(); // a finished stage writes nothing more
    expect(lines).toHaveLength(3);
  });

  it("a stage that never reported writes only its summary", () => {
    const clock = manualClock();
    const { stream, lines } = captured();
    const progress = new ProgressReporter({ stream, tty: false, clock: clock.now, timer: false });
    const stage = progress.stage("report", "charts");
    clock.advance(65);
    progress.tick();
    stage.finish();
    expect(lines).toEqual(["report: done in 1 min 5 s"]);
  });
});

describe("ProgressReporter on a terminal", () => {
  it("draws the bar with the smoothed rate and ETA ('ETA -' at first), never cli-progress's own ETA", () => {
    const clock = manualClock();
    let drawn = "";
    const stream = {
      isTTY: true,
      columns: 200,
      write(chunk: string) {
        drawn += chunk;
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const progress = new ProgressReporter({ stream, tty: true, clock: clock.now, timer: false });
    const stage = progress.stage("write model", "MB");
    stage.update(0, 50, 0);
    expect(drawn).toContain("0/50 MB | -/s | ETA - | 0 failed");
    clock.advance(6);
    stage.update(12, 50, 0); // 12 in 6 s: 2.0/s, the 38 left in 19 s
    stage.finish();
    expect(drawn).toContain("12/50 MB | 2.0/s | ETA 19 s | 0 failed");
    expect(drawn).not.toMatch(/ETA (INF|NaN|\d+ \|)/);
  });
});
