import * as z from "zod";

const Probability = z.number().min(0).max(1);

/** One model answer to one ordered pair: a line of `choices.jsonl`. */
export const ChoiceRecordSchema = z.object({
  key: z.string().min(1),
  condition: z.string().min(1),
  model: z.string().min(1),
  a: z.string().min(1),
  b: z.string().min(1),
  pairId: z.string().min(1),
  order: z.enum(["ab", "ba"]),
  promptHash: z.string().min(1),
  readout: z.enum(["logits", "logprobs", "samples"]),
  sampleIndex: z.number().int().min(0),
  pA: Probability.nullable(),
  pB: Probability.nullable(),
  offLabelMass: Probability.nullable(),
  rawAnswer: z.string().nullable(),
  choice: z.enum(["A", "B", "refusal", "unparseable"]),
  elapsedMs: z.number().min(0),
  attempts: z.number().int().min(0),
});
export type ChoiceRecord = z.infer<typeof ChoiceRecordSchema>;

/** The pair id of two activity ids: sorted, joined with "|", so both orders share it. */
export function pairIdOf(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
