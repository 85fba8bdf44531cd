import type { Activity, ChoiceRecord } from "@pva/core";
import type { TournamentSteering } from "@pva/lm";

/** What an answer says: a label, a refusal, or nothing readable (the choices a record stores). */
export type ParsedChoice = ChoiceRecord["choice"];

export type Readout = "logits" | "logprobs" | "samples";

export interface ChoiceRequest {
  a: Activity;
  b: Activity;
  readout: Readout;
  sampleIndex: number;
  /** The study's seed: sampling backends derive a per-sample seed from it where the API takes one. */
  seed: number;
  /** Steering (embedded backend only): the vectors, added on the steered activities' text in the prompt. */
  steer?: TournamentSteering;
}

export interface ChoiceAnswer {
  /** P(A), P(B) renormalised over the label tokens; null for sampled answers. */
  pA: number | null;
  pB: number | null;
  offLabelMass: number | null;
  /** The sampled text, or the most probable token. */
  rawAnswer: string | null;
  choice: ParsedChoice;
  /** Requests it took, retries included. */
  attempts: number;
}

/**
 * A model that answers "(A) or (B)?". Backends differ in what they can read out (capabilities);
 * `prompt` and `readoutParams` say exactly what was asked, so a record's key changes whenever
 * anything that could change the answer changes, and never because of an endpoint or a timeout.
 */
export interface ChoiceBackend {
  /** Model identity written into records (e.g. "openai:qwen2.5-7b", or the embedded model's id). */
  id: string;
  capabilities: { logits: boolean; logprobs: boolean; samples: boolean; steering: boolean };
  /** The readout this backend was set up for. */
  readout: Readout;
  /** The exact prompt for an ordered pair: the text, or the API's messages as JSON. */
  prompt(a: Activity, b: Activity): string;
  readoutParams(readout: Readout): Record<string, string | number | boolean>;
  answer(request: ChoiceRequest): Promise<ChoiceAnswer>;
}
