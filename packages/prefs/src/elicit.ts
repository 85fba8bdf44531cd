import {
  type Activity,
  type ChoiceRecord,
  ChoiceRecordSchema,
  type Design as DesignConfig,
  PvaError,
  RunStore,
  throwIfInterrupted,
} from "@pva/core";
import type { TournamentSteering } from "@pva/lm";
import type { ChoiceBackend, Readout } from "./backends/choice-backend.js";
import { RequestFailedError } from "./backends/retry-policy.js";
import { type ChoiceContext, type ChoiceJob, choiceJobs, choiceRecordOf } from "./choice-record.js";
import type { Design } from "./design/design.js";
import { designFromConfig } from "./design/design-from-config.js";
import { type ElicitProgress, ElicitProgressCounter } from "./elicit-progress.js";
import type { Outcome } from "./fit/pair-table.js";
import { outcomesFromRecords, type RefusalPolicy } from "./outcomes.js";
import { runWorkerPool } from "./worker-pool.js";

export interface ElicitOptions {
  backend: ChoiceBackend;
  activities: readonly Activity[];
  /** A design from the study config, or any Design object. */
  design: DesignConfig | Design;
  storeFile: string;
  condition: string;
  seed: number;
  /** Defaults to the backend's readout. */
  readout?: Readout;
  /** Samples per ordered pair for the "samples" readout (logits and logprobs are read once). */
  samplesPerPair: number;
  concurrency: number;
  signal?: AbortSignal;
  /** Called once before anything is asked (done 0), then after each answer or failed request. */
  onProgress?: (progress: ElicitProgress) => void;
  /** Steering for the whole tournament (a backend with the steering capability only). */
  steer?: TournamentSteering;
  /** How refusals count in an active design's interim fits (default "skip"). */
  refusalPolicy?: RefusalPolicy;
}

/**
 * Asks the backend every ordered pair the design wants, `concurrency` at a time, and stores each
 * answer as a ChoiceRecord under its key as soon as it arrives. Keys already in the store are not
 * asked again, so an interrupted run resumes where it stopped and a repeated run costs nothing.
 * A request that still fails after its retries is counted in `failures` and left for the next run.
 * When `signal` aborts, no new request starts; the ones in flight finish and are recorded, then
 * InterruptedError is thrown (a signal aborted before the call asks nothing and opens no store).
 * Returns this run's records in design order.
 */
export async function elicit(opts: ElicitOptions): Promise<ChoiceRecord[]> {
  const { backend, activities } = opts;
  throwIfInterrupted(opts.signal, "elicit");
  const readout = opts.readout ?? backend.readout;
  if (!backend.capabilities[readout]) {
    throw new PvaError(
      `${backend.id}: the "${readout}" readout is not available from this backend`,
      "E_CONFIG",
    );
  }
  if (opts.steer && !backend.capabilities.steering) {
    throw new PvaError(`${backend.id}: steering needs the embedded backend`, "E_CONFIG");
  }
  const samples = readout === "samples" ? Math.max(1, opts.samplesPerPair) : 1;
  const context: ChoiceContext = {
    model: backend.id,
    condition: opts.condition,
    readout,
    readoutParams: backend.readoutParams(readout),
    seed: opts.seed,
  };
  const design = designFromConfig(opts.design, activities.length, opts.seed);
  const indexOf = new Map(activities.map((activity, i) => [activity.id, i]));

  const store = await RunStore.open<ChoiceRecord>(opts.storeFile, { schema: ChoiceRecordSchema });
  const progress = new ElicitProgressCounter(design.plannedComparisons * samples, opts.onProgress);

  /** The backend's answer to a job, recorded before it is returned. */
  const ask = async (job: ChoiceJob): Promise<ChoiceRecord> => {
    const t0 = performance.now();
    const answer = await backend.answer({
      a: job.a,
      b: job.b,
      readout,
      sampleIndex: job.sampleIndex,
      seed: opts.seed,
      ...(opts.steer ? { steer: opts.steer } : {}),
    });
    const record = choiceRecordOf(job, answer, context, Math.max(0, performance.now() - t0));
    await store.append(record);
    return record;
  };

  /**
   * A job's record from the store, else asked for. A request that failed after its retries is
   * counted and gives null (the next run asks it again); any other error is fatal to the pool.
   */
  const answerJob = async (job: ChoiceJob): Promise<ChoiceRecord | null> => {
    try {
      const record = store.get(job.key) ?? (await ask(job));
      progress.answered();
      return record;
    } catch (error) {
      if (!(error instanceof RequestFailedError)) throw error;
      progress.failed(error.message);
      return null;
    } finally {
      progress.report();
    }
  };

  const records: ChoiceRecord[] = [];
  const outcomes: Outcome[] = [];
  // Once before anything is asked: a caller's progress knows the total at once and can show a
  // sign of life (done 0) while the first answers are slow or never come.
  progress.report();
  try {
    while (!opts.signal?.aborted) {
      const pairs = design.next(outcomes);
      if (pairs.length === 0) {
        const reason = design.stopReason?.() ?? null;
        if (reason !== null) progress.report(reason);
        break;
      }
      const jobs = choiceJobs(pairs, activities, samples, (a, b) => backend.prompt(a, b), context);
      const results = await runWorkerPool(jobs, answerJob, {
        concurrency: opts.concurrency,
        signal: opts.signal,
      });
      const answered = results.filter((r): r is ChoiceRecord => r !== null && r !== undefined);
      records.push(...answered);
      outcomes.push(...outcomesFromRecords(answered, indexOf, opts.refusalPolicy ?? "skip").outcomes);
    }
    throwIfInterrupted(opts.signal, "elicit");
  } finally {
    await store.close();
  }
  return records;
}
