import { type Activity, type ChoiceRecord, contentHash, pairIdOf, sha256Hex } from "@pva/core";
import type { ChoiceAnswer, Readout } from "./backends/choice-backend.js";
import type { OrderedPair } from "./design/design.js";

/** What every answer of one elicitation shares, and so every record and key of it holds. */
export interface ChoiceContext {
  /** The backend's model id. */
  model: string;
  condition: string;
  readout: Readout;
  /** The backend's parameters of that readout (they enter the key). */
  readoutParams: Record<string, string | number | boolean>;
  seed: number;
}

/** One answer to ask for (or find in the store): an ordered pair, its prompt and sample, its key. */
export interface ChoiceJob {
  a: Activity;
  b: Activity;
  sampleIndex: number;
  prompt: string;
  key: string;
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

/** The answers a batch of ordered pairs asks for: `samples` per pair, in the batch's order. */
export function choiceJobs(
  pairs: readonly OrderedPair[],
  activities: readonly Activity[],
  samples: number,
  promptOf: (a: Activity, b: Activity) => string,
  context: ChoiceContext,
): ChoiceJob[] {
  return pairs.flatMap(({ a: ai, b: bi }) => {
    const a = activities[ai];
    const b = activities[bi];
    const prompt = promptOf(a, b);
    return Array.from({ length: samples }, (_, sampleIndex) => ({
      a,
      b,
      sampleIndex,
      prompt,
      key: choiceRecordKey({ ...context, prompt, sampleIndex }),
    }));
  });
}

/** The record of a job's answer, as stored (its fields in the order of choices.jsonl). */
export function choiceRecordOf(
  job: ChoiceJob,
  answer: ChoiceAnswer,
  context: ChoiceContext,
  elapsedMs: number,
): ChoiceRecord {
  return {
    key: job.key,
    condition: context.condition,
    model: context.model,
    a: job.a.id,
    b: job.b.id,
    pairId: pairIdOf(job.a.id, job.b.id),
    order: job.a.id < job.b.id ? "ab" : "ba",
    promptHash: sha256Hex(job.prompt),
    readout: context.readout,
    sampleIndex: job.sampleIndex,
    pA: answer.pA,
    pB: answer.pB,
    offLabelMass: answer.offLabelMass,
    rawAnswer: answer.rawAnswer,
    choice: answer.choice,
    elapsedMs,
    attempts: answer.attempts,
  };
}
