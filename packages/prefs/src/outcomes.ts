import { type ChoiceRecord, PvaError } from "@pva/core";
import type { Outcome } from "./fit/pair-table.js";

/**
 * What a refusal counts as. There is no default hidden in the fit: the caller names one.
 * - "tie": half a win for each option;
 * - "skip": left out of the fit (still counted in the diagnostics);
 * - "loss-both": a loss for each activity against the strength-0 reference (the average activity).
 */
export type RefusalPolicy = "tie" | "skip" | "loss-both";

export interface RecordOutcomes {
  outcomes: Outcome[];
  /** Per activity: games and wins against the strength-0 reference (from "loss-both"). */
  referenceGames: { count: Float64Array; wins: Float64Array };
}

/**
 * Turns answers into outcomes for the fit. Logit and logprob readouts give a soft win P(A);
 * samples give a hard win. Unparseable answers never enter the fit.
 */
export function outcomesFromRecords(
  records: readonly ChoiceRecord[],
  indexOf: ReadonlyMap<string, number>,
  policy: RefusalPolicy,
): RecordOutcomes {
  const size = indexOf.size;
  const referenceGames = { count: new Float64Array(size), wins: new Float64Array(size) };
  const outcomes: Outcome[] = [];
  for (const record of records) {
    const first = indexOf.get(record.a);
    const second = indexOf.get(record.b);
    if (first === undefined || second === undefined) {
      const missing = first === undefined ? record.a : record.b;
      throw new PvaError(
        `choice ${record.key}: activity "${missing}" is not in the activity list`,
        "E_UNKNOWN_ACTIVITY",
      );
    }
    if (record.choice === "unparseable") continue;
    if (record.choice === "refusal") {
      if (policy === "tie") outcomes.push({ first, second, scoreFirst: 0.5 });
      else if (policy === "loss-both") {
        referenceGames.count[first] += 1;
        referenceGames.count[second] += 1;
      }
      continue;
    }
    if (record.pA !== null && record.pB !== null && record.pA + record.pB > 0) {
      outcomes.push({ first, second, scoreFirst: record.pA / (record.pA + record.pB) });
    } else {
      outcomes.push({ first, second, scoreFirst: record.choice === "A" ? 1 : 0 });
    }
  }
  return { outcomes, referenceGames };
}
