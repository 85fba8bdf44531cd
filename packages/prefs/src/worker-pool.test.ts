import { describe, expect, it } from "vitest";
import { runWorkerPool } from "./worker-pool.js";

/**
 * Jobs that finish only when the test says so, so what runs at once is decided by the test and
 * never by a clock: each started job waits in `pending` until it is resolved or rejected.
 */
function heldJobs() {
  const started: number[] = [];
  const pending = new Map<number, { resolve: (value: string) => void; reject: (error: unknown) => void }>();
  let mostAtOnce = 0;
  const work = (job: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(job);
      pending.set(job, { resolve, reject });
      mostAtOnce = Math.max(mostAtOnce, pending.size);
    });
  const finish = (job: number, outcome: { value: string } | { error: unknown }) => {
    const held = pending.get(job);
    if (!held) throw new Error(`job ${job} is not running`);
    pending.delete(job);
    if ("value" in outcome) held.resolve(outcome.value);
    else held.reject(outcome.error);
  };
  return { started, pending, work, finish, mostAtOnce: () => mostAtOnce };
}

/** Lets every promise callback that is ready run (a turn of the event loop, no timer). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether a promise has settled yet, without waiting for it. */
function watch(promise: Promise<unknown>) {
  const state = { settled: false };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

const TEN = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

describe("runWorkerPool", () => {
  it("runs at most `concurrency` jobs at once, starts them in order, and returns results by index", async () => {
    const jobs = heldJobs();
    const pool = runWorkerPool(TEN, jobs.work, { concurrency: 3 });
    await settle();
    expect(jobs.started).toEqual([0, 1, 2]);
    // Finish the newest running job each time: a freed worker takes the next job in order.
    while (jobs.pending.size > 0) {
      const newest = Math.max(...jobs.pending.keys());
      jobs.finish(newest, { value: `result ${newest}` });
      await settle();
    }
    expect(jobs.started).toEqual(TEN);
    expect(jobs.mostAtOnce()).toBe(3);
    expect(await pool).toEqual(TEN.map((job) => `result ${job}`));
  });

  it("runs one job at a time for a concurrency below one", async () => {
    const jobs = heldJobs();
    const pool = runWorkerPool([0, 1, 2], jobs.work, { concurrency: 0 });
    for (const job of [0, 1, 2]) {
      await settle();
      expect([...jobs.pending.keys()]).toEqual([job]);
      jobs.finish(job, { value: String(job) });
    }
    expect(await pool).toEqual(["0", "1", "2"]);
  });

  it("starts no job after an abort, lets the jobs in flight finish, and keeps their results", async () => {
    const jobs = heldJobs();
    const controller = new AbortController();
    const pool = runWorkerPool(TEN, jobs.work, { concurrency: 3, signal: controller.signal });
    await settle();
    controller.abort();
    jobs.finish(1, { value: "one" });
    await settle();
    expect(jobs.started).toEqual([0, 1, 2]);
    const state = watch(pool);
    await settle();
    expect(state.settled).toBe(false);
    jobs.finish(0, { value: "zero" });
    jobs.finish(2, { value: "two" });
    expect(await pool).toEqual(["zero", "one", "two", ...new Array(7).fill(undefined)]);
    expect(jobs.started).toEqual([0, 1, 2]);
  });

  it("starts nothing when the signal fired before the call", async () => {
    const jobs = heldJobs();
    const controller = new AbortController();
    controller.abort();
    const pool = runWorkerPool([0, 1], jobs.work, { concurrency: 2, signal: controller.signal });
    await settle();
    expect(jobs.started).toEqual([]);
    expect(await pool).toEqual([undefined, undefined]);
  });

  it("on a job's error starts nothing more and throws that first error once the jobs in flight settle", async () => {
    const jobs = heldJobs();
    const pool = runWorkerPool(TEN, jobs.work, { concurrency: 3 });
    const state = watch(pool);
    await settle();
    const first = new Error("first");
    jobs.finish(1, { error: first });
    await settle();
    expect(jobs.started).toEqual([0, 1, 2]);
    // a later error is dropped; the pool still waits for job 2
    jobs.finish(0, { error: new Error("second") });
    await settle();
    expect(state.settled).toBe(false);
    jobs.finish(2, { value: "two" });
    await expect(pool).rejects.toBe(first);
    expect(jobs.started).toEqual([0, 1, 2]);
  });

  it("returns an empty list for no jobs", async () => {
    const jobs = heldJobs();
    expect(await runWorkerPool([], jobs.work, { concurrency: 4 })).toEqual([]);
  });
});
