export interface WorkerPoolOptions {
  /** Jobs in flight at once (at least one). */
  concurrency: number;
  /** Once aborted, no new job starts; the ones in flight still finish. */
  signal?: AbortSignal;
}

/**
 * Runs `work` over `jobs` in order, at most `concurrency` at a time, and returns each job's result
 * at its index (undefined for a job that never started). A job that throws is fatal: no new job
 * starts, and once the jobs in flight have settled (their results kept, their own errors dropped)
 * the first error is thrown. Waiting for them matters to callers that close a store afterwards:
 * nothing is still writing to it. A failure the caller can step over is for `work` to catch.
 */
export async function runWorkerPool<J, R>(
  jobs: readonly J[],
  work: (job: J) => Promise<R>,
  opts: WorkerPoolOptions,
): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(jobs.length).fill(undefined);
  let next = 0;
  let failed = false;
  let fatal: unknown;
  const worker = async () => {
    while (next < jobs.length && !opts.signal?.aborted && !failed) {
      const index = next++;
      try {
        results[index] = await work(jobs[index]);
      } catch (error) {
        if (!failed) {
          failed = true;
          fatal = error;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  if (failed) throw fatal;
  return results;
}
