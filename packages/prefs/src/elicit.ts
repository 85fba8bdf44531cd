import {
  type Activity,
  type ChoiceRecord,
  ChoiceRecordSchema,
  contentHash,
  createRng,
  type Design as DesignConfig,
  PvaError,
  pairIdOf,
  RunStore,
  sha256Hex,
  throwIfInterrupted,
} from "@pva/core";
import type { TournamentSteering } from "@pva/lm";
import type { ChoiceBackend, Readout } from "./backends/choice-backend.js";
import { RequestFailedError } from "./backends/retry-policy.js";
import { createActiveDesign } from "./design/active-design.js";
import type { Design, OrderedPair } from "./design/design.js";
import { createFullDesign } from "./design/full-design.js";
import type { Outcome } from "./fit/pair-table.js";
import { outcomesFromRecords, type RefusalPolicy } from "./outcomes.js";

export interface ElicitProgress {
  /** Answers recorded for this run so far, resumed ones included. */
  done: number;
  /** Answers the design plans (an active design may stop before). */
  total: number;
  /** Requests that failed after all retries; they are not recorded, so a re-run asks them again. */
  failures: number;
  /** The last failure's one-line cause, for the progress line. */
  lastFailure: string | null;
  /** New answers per second since the start of this call. */
  ratePerSecond: number;
  /** Seconds left at that rate (null before the first new answer). */
  etaSeconds: number | null;
  /**
   * Set in the last report when the design stopped before spending what it planned, saying why
   * (e.g. "ranking stable for 2 rounds after 960 of 1,200 comparisons"); null otherwise.
   */
  stopReason: string | null;
}

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

interface Job {
  a: Activity;
  b: Activity;
  sampleIndex: number;
  key: string;
  prompt: string;
}

/** What identifies an answer: anything that could change it, and nothing that could not. */
export function choiceRecordKey(parts: {
  model: string;
  condition: string;
  prompt: string;
  readout: Readout;
  readoutParams: Record<string, string | number | boolean>;
  sampleIndex: number;
  seed: number;
}): string {
  return contentHash({
    model: parts.model,
    condition: parts.condition,
    prompt: parts.prompt,
    readout: { kind: parts.readout, ...parts.readoutParams },
    sampleIndex: parts.sampleIndex,
    seed: parts.seed,
  });
}

function designFrom(config: DesignConfig | Design, size: number, seed: number): Design {
  if (!("kind" in config)) return config;
  if (config.kind === "full") return createFullDesign(size);
  return createActiveDesign(size, {
    budget: config.budget,
    rounds: config.rounds,
    rng: createRng(seed).fork("active-design"),
  });
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
  const params = backend.readoutParams(readout);
  const design = designFrom(opts.design, activities.length, opts.seed);
  const indexOf = new Map(activities.map((activity, i) => [activity.id, i]));

  const store = await RunStore.open<ChoiceRecord>(opts.storeFile, { schema: ChoiceRecordSchema });
  const records: ChoiceRecord[] = [];
  const outcomes: Outcome[] = [];
  const started = Date.now();
  let done = 0;
  let fresh = 0;
  let failures = 0;
  let lastFailure: string | null = null;
  const total = design.plannedComparisons * samples;
  const report = (stopReason: string | null = null) => {
    if (!opts.onProgress) return;
    const seconds = (Date.now() - started) / 1000;
    const ratePerSecond = seconds > 0 ? fresh / seconds : 0;
    const left = Math.max(0, total - done);
    opts.onProgress({
      done,
      total,
      failures,
      lastFailure,
      ratePerSecond,
      etaSeconds: fresh > 0 && ratePerSecond > 0 ? left / ratePerSecond : null,
      stopReason,
    });
  };

  const jobsFor = (batch: OrderedPair[]): Job[] =>
    batch.flatMap(({ a: ai, b: bi }) => {
      const a = activities[ai];
      const b = activities[bi];
      const prompt = backend.prompt(a, b);
      return Array.from({ length: samples }, (_, sampleIndex) => ({
        a,
        b,
        sampleIndex,
        prompt,
        key: choiceRecordKey({
          model: backend.id,
          condition: opts.condition,
          prompt,
          readout,
          readoutParams: params,
          sampleIndex,
          seed: opts.seed,
        }),
      }));
    });

  const answerJob = async (job: Job): Promise<ChoiceRecord> => {
    const stored = store.get(job.key);
    if (stored) return stored;
    const t0 = performance.now();
    const answer = await backend.answer({
      a: job.a,
      b: job.b,
      readout,
      sampleIndex: job.sampleIndex,
      seed: opts.seed,
      ...(opts.steer ? { steer: opts.steer } : {}),
    });
    const record: ChoiceRecord = {
      key: job.key,
      condition: opts.condition,
      model: backend.id,
      a: job.a.id,
      b: job.b.id,
      pairId: pairIdOf(job.a.id, job.b.id),
      order: job.a.id < job.b.id ? "ab" : "ba",
      promptHash: sha256Hex(job.prompt),
      readout,
      sampleIndex: job.sampleIndex,
      pA: answer.pA,
      pB: answer.pB,
      offLabelMass: answer.offLabelMass,
      rawAnswer: answer.rawAnswer,
      choice: answer.choice,
      elapsedMs: Math.max(0, performance.now() - t0),
      attempts: answer.attempts,
    };
    await store.append(record);
    fresh++;
    return record;
  };

  // Once before anything is asked: a caller's progress knows the total at once and can show a
  // sign of life (done 0, "ETA -") while the first answers are slow or never come.
  report();
  try {
    while (!opts.signal?.aborted) {
      const batch = design.next(outcomes);
      if (batch.length === 0) {
        const reason = design.stopReason?.() ?? null;
        if (reason !== null) report(reason);
        break;
      }
      const jobs = jobsFor(batch);
      const results: (ChoiceRecord | null)[] = new Array(jobs.length).fill(null);
      let next = 0;
      let fatal: unknown;
      const worker = async () => {
        while (next < jobs.length && !opts.signal?.aborted && fatal === undefined) {
          const index = next++;
          try {
            results[index] = await answerJob(jobs[index]);
            done++;
          } catch (error) {
            if (error instanceof RequestFailedError) {
              failures++;
              lastFailure = error.message;
            } else fatal ??= error;
          }
          report();
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
      if (fatal !== undefined) throw fatal;
      const answered = results.filter((r): r is ChoiceRecord => r !== null);
      records.push(...answered);
      outcomes.push(...outcomesFromRecords(answered, indexOf, opts.refusalPolicy ?? "skip").outcomes);
    }
    throwIfInterrupted(opts.signal, "elicit");
  } finally {
    await store.close();
  }
  return records;
}
