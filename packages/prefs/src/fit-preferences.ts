import {
  type Activity,
  type ChoiceRecord,
  createRng,
  type PreferenceScores,
  PvaError,
  percentileInterval,
} from "@pva/core";
import { intransitiveTriads, positionBias, triadShare, winMatrix } from "./diagnostics.js";
import { bootstrapBradleyTerry, strengthSample } from "./fit/bootstrap.js";
import { fitBradleyTerry } from "./fit/bradley-terry.js";
import { eloFromStrength, sequentialElo } from "./fit/elo.js";
import { buildPairTable } from "./fit/pair-table.js";
import { outcomesFromRecords, type RefusalPolicy } from "./outcomes.js";

export interface FitPreferencesOptions {
  /** Bootstrap resamples over ordered pairs (0 = no CIs; the intervals collapse to the estimate). */
  bootstrap: number;
  seed: number;
  /** Interval level, default 0.95. */
  level?: number;
  /** Virtual comparisons per activity against the average, default 0.5. */
  prior?: number;
  refusalPolicy: RefusalPolicy;
  /** Shuffled orders averaged by the sequential Elo, default 100. */
  sequentialOrders?: number;
  /** Model and condition to report when there are no records. */
  model?: string;
  condition?: string;
}

/**
 * Bradley-Terry fit with a first-position term, Elo on the study's scale with bootstrap CIs,
 * the study's sequential Elo, and the diagnostics. Records are sorted by key first, so the result
 * depends only on which records there are, never on the order they were written in.
 */
export function fitPreferences(
  records: readonly ChoiceRecord[],
  activities: readonly Activity[],
  opts: FitPreferencesOptions,
): PreferenceScores {
  const level = opts.level ?? 0.95;
  const sorted = [...records].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const models = new Set(sorted.map((r) => r.model));
  const conditions = new Set(sorted.map((r) => r.condition));
  if (models.size > 1 || conditions.size > 1) {
    throw new PvaError(
      `choices mix ${models.size} models and ${conditions.size} conditions; fit one model and condition at a time`,
      "E_MIXED_CHOICES",
    );
  }
  const model = sorted[0]?.model ?? opts.model ?? "unknown";
  const condition = sorted[0]?.condition ?? opts.condition ?? "baseline";
  const size = activities.length;
  const indexOf = new Map(activities.map((activity, i) => [activity.id, i]));
  const { outcomes, referenceGames } = outcomesFromRecords(sorted, indexOf, opts.refusalPolicy);

  const table = buildPairTable(size, outcomes);
  const btOptions = { prior: opts.prior ?? 0.5, positionBias: true, referenceGames };
  const fit = fitBradleyTerry(table, btOptions);
  const rng = createRng(opts.seed);
  const boot =
    opts.bootstrap > 0
      ? bootstrapBradleyTerry(table, fit, {
          ...btOptions,
          resamples: opts.bootstrap,
          rng: rng.fork("bootstrap"),
        })
      : null;
  const sequential = sequentialElo(size, outcomes, {
    rng: rng.fork("sequential-elo"),
    orders: opts.sequentialOrders ?? 100,
  });
  const bias = positionBias(size, outcomes);
  const matrix = winMatrix(size, outcomes);

  const games = new Float64Array(size);
  const score = new Float64Array(size);
  for (const { first, second, scoreFirst } of outcomes) {
    games[first] += 1;
    games[second] += 1;
    score[first] += scoreFirst;
    score[second] += 1 - scoreFirst;
  }
  const refusals = new Float64Array(size);
  const unparseable = new Float64Array(size);
  let offLabelSum = 0;
  let offLabelCount = 0;
  for (const record of sorted) {
    const counter =
      record.choice === "refusal" ? refusals : record.choice === "unparseable" ? unparseable : null;
    if (counter) {
      counter[indexOf.get(record.a)!] += 1;
      counter[indexOf.get(record.b)!] += 1;
    }
    if (record.offLabelMass !== null) {
      offLabelSum += record.offLabelMass;
      offLabelCount++;
    }
  }

  const triads = intransitiveTriads(matrix);
  return {
    model,
    condition,
    seed: opts.seed,
    comparisons: outcomes.length,
    activities: activities.map((activity, i) => {
      const elo = eloFromStrength(fit.strength[i]);
      const ci = boot ? percentileInterval(strengthSample(boot, size, i), level) : null;
      return {
        id: activity.id,
        text: activity.text,
        category: activity.category,
        strength: fit.strength[i],
        elo,
        eloCi: ci ? [eloFromStrength(ci[0]), eloFromStrength(ci[1])] : [elo, elo],
        eloSequential: sequential[i],
        comparisons: games[i],
        winRate: games[i] > 0 ? score[i] / games[i] : 0.5,
        pFirstWhenPresent: bias.pFirstWhenPresent[i],
        refusals: refusals[i],
        unparseable: unparseable[i],
        triads: triads.byActivity[i],
      };
    }),
    winMatrix: { ids: activities.map((a) => a.id), p: matrix },
    diagnostics: {
      pFirst: bias.pFirst,
      pFirstCi: boot ? percentileInterval(boot.pFirst, level) : [bias.pFirst, bias.pFirst],
      intransitiveTriadShare: triadShare(triads.all),
      refusals: sorted.filter((r) => r.choice === "refusal").length,
      unparseable: sorted.filter((r) => r.choice === "unparseable").length,
      meanOffLabelMass: offLabelCount > 0 ? offLabelSum / offLabelCount : null,
    },
    bootstrap: { resamples: opts.bootstrap, level },
  };
}
