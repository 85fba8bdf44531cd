import type { ActivityScore, EmotionCorrelation, RobustnessResult, SteeringResult } from "@pva/core";
import { fixed, interval, signed } from "./number-text.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { doseText } from "./steering-dose-text.js";

/** The key numbers of a run, shared by the page's summary and `summary.md`. */
export interface ReportFindings {
  model: string;
  builtinRandom: boolean;
  /** Random weights: builtin random, or marked so by the checkpoint's own metadata (manifest). */
  randomWeights: boolean;
  fdrAlpha: number;
  preferences: {
    comparisons: number;
    activities: number;
    level: number;
    best: ActivityScore;
    worst: ActivityScore;
    pFirst: number;
    pFirstCi: [number, number];
    intransitiveTriadShare: number;
    refusals: number;
    unparseable: number;
    meanOffLabelMass: number | null;
  } | null;
  correlation: {
    layer: number;
    emotions: number;
    strongestPositive: EmotionCorrelation;
    strongestNegative: EmotionCorrelation;
    significant: number;
    absOverPoint3: number;
    valence: { source: string; r: number; ci: [number, number]; n: number } | null;
    /** Permutations per emotion and the smallest q a lone significant emotion can get, m / (B + 1). */
    permutations: number;
    qFloor: number;
  } | null;
  steering: {
    emotions: number;
    largestPositive: SteeringResult["summary"][number];
    largestNegative: SteeringResult["summary"][number];
    shiftVsR: SteeringResult["shiftVsR"];
    /** Where and how much was added, in words. */
    dose: string;
  } | null;
  robustness: RobustnessResult | null;
}

const BUILTIN_RANDOM = /^builtin:random/;

/**
 * Thresholds of the summary's guards (the report README lists them with the rules they drive).
 * Above OFF_LABEL_LIMIT mean probability off the two labels, the model mostly did not answer A or B.
 * A lone emotion's q cannot go below m / (B + 1); above Q_FLOOR_LIMIT the note names the setting.
 * P(first) further than POSITION_BIAS_LIMIT from 0.5, or a share of intransitive triads above
 * INTRANSITIVE_LIMIT, gets a note.
 */
export const GUARD_THRESHOLDS = {
  offLabelMass: 0.5,
  qFloor: 0.01,
  positionBias: 0.1,
  intransitiveTriadShare: 0.05,
} as const;

export function reportFindings(artifacts: RunArtifacts): ReportFindings {
  const { manifest, preferences, correlations, steering } = artifacts;
  const model =
    manifest?.model.id ??
    preferences?.model ??
    artifacts.vectors?.model ??
    artifacts.probes?.model ??
    "unknown";
  const byElo = preferences ? [...preferences.activities].sort((x, y) => y.elo - x.elo) : [];
  const byR = correlations
    ? [...correlations.emotions].filter((e) => e.note === undefined).sort((x, y) => y.pearson - x.pearson)
    : [];
  const fdrAlpha = manifest?.config.analysis.fdrAlpha ?? 0.05;
  const bySift = steering ? [...steering.summary].sort((x, y) => y.shift - x.shift) : [];
  const builtinRandom = manifest?.model.builtinRandom ?? BUILTIN_RANDOM.test(model);
  const tested = byR.length;
  return {
    model,
    builtinRandom,
    randomWeights: builtinRandom || manifest?.model.randomWeights === true,
    fdrAlpha,
    preferences:
      preferences && byElo.length > 0
        ? {
            comparisons: preferences.comparisons,
            activities: preferences.activities.length,
            level: preferences.bootstrap.level,
            best: byElo[0],
            worst: byElo[byElo.length - 1],
            pFirst: preferences.diagnostics.pFirst,
            pFirstCi: preferences.diagnostics.pFirstCi,
            intransitiveTriadShare: preferences.diagnostics.intransitiveTriadShare,
            refusals: preferences.diagnostics.refusals,
            unparseable: preferences.diagnostics.unparseable,
            meanOffLabelMass: preferences.diagnostics.meanOffLabelMass,
          }
        : null,
    correlation:
      correlations && byR.length > 0
        ? {
            layer: correlations.layer,
            emotions: correlations.emotions.length,
            strongestPositive: byR[0],
            strongestNegative: byR[byR.length - 1],
            significant: byR.filter((e) => e.q < fdrAlpha).length,
            absOverPoint3: byR.filter((e) => Math.abs(e.pearson) > 0.3).length,
            valence: correlations.valence,
            permutations: correlations.permutations,
            qFloor: Math.min(1, tested / (correlations.permutations + 1)),
          }
        : null,
    steering:
      steering && bySift.length > 0
        ? {
            emotions: new Set(steering.summary.map((s) => s.emotion)).size,
            largestPositive: bySift[0],
            largestNegative: bySift[bySift.length - 1],
            shiftVsR: steering.shiftVsR,
            dose: doseText(steering),
          }
        : null,
    robustness: artifacts.robustness ?? null,
  };
}

/** An interval as text; none when the run drew no bootstrap resamples. */
const ci = (bounds: readonly [number, number] | null, digits: number): string =>
  bounds === null ? "none (no bootstrap resamples)" : interval(bounds, digits);

/**
 * Banners above the summary: conditions under which no number in the run supports a claim about a
 * model. Random weights (by the model's own metadata), and a model that mostly put its probability
 * on tokens other than the two labels.
 */
export function summaryWarnings(f: ReportFindings, userText: (text: string) => string = (t) => t): string[] {
  const warnings: string[] = [];
  if (f.randomWeights)
    warnings.push(
      `WARNING: this run used a RANDOM model (${userText(f.model)}): its weights are random, so its numbers are noise and say nothing about any real model.`,
    );
  const offLabel = f.preferences?.meanOffLabelMass;
  if (offLabel != null && offLabel > GUARD_THRESHOLDS.offLabelMass)
    warnings.push(
      `WARNING: the model rarely answered with a label: on average ${fixed(offLabel * 100, 1)}% of its next-token probability went to tokens other than the two labels, so its choices carry little information.`,
    );
  return warnings;
}

/**
 * The summary in plain words. The first sentence is the main finding, chosen by the rules in the
 * report README: random weights or a model that rarely answered with a label state no finding; a
 * correlation is a finding only when some emotion survives the FDR correction. Notes follow on the
 * q floor set by the permutation count, position bias and intransitivity beyond their thresholds.
 * Text from the study (emotion names, activity texts, the model id) goes through `userText`:
 * `summary.md` escapes it for Markdown there, so that the report's own words and numbers stay as
 * written; the page escapes whole sentences for HTML.
 */
export function summarySentences(f: ReportFindings, userText: (text: string) => string = (t) => t): string[] {
  const sentences: string[] = [];
  const c = f.correlation;
  const p = f.preferences;
  const offLabel = p?.meanOffLabelMass != null && p.meanOffLabelMass > GUARD_THRESHOLDS.offLabelMass;
  // Why no finding can be stated whatever the numbers say, or null.
  const noFinding = f.randomWeights
    ? "the model has random weights, so these numbers only show that the pipeline runs"
    : offLabel
      ? "the model rarely answered with a label, so its choices carry little information"
      : null;
  if (c) {
    const pos = c.strongestPositive;
    const neg = c.strongestNegative;
    const extremes = `"${userText(pos.emotion)}" (r = ${fixed(pos.pearson, 2)}, 95% CI ${ci(pos.pearsonCi, 2)}, q = ${pos.q.toPrecision(2)}) and the most negative "${userText(neg.emotion)}" (r = ${fixed(neg.pearson, 2)}, CI ${ci(neg.pearsonCi, 2)}, q = ${neg.q.toPrecision(2)})`;
    const counts = `${c.significant} of ${c.emotions} emotions are significant at Benjamini-Hochberg q < ${f.fdrAlpha}; ${c.absOverPoint3} have |r| > 0.3 (layer ${c.layer}).`;
    // With nothing significant, the top r is noise and the headline must not read as a finding.
    sentences.push(
      noFinding !== null
        ? `Main finding: none: ${noFinding}. For the record, the most positive correlation is ${extremes}. ${counts}`
        : c.significant > 0
          ? `Main finding: the emotion probes track the model's preferences. The most positive correlation is ${extremes}. ${counts}`
          : `Main finding: no emotion probe tracks the model's preferences after correcting for multiple comparisons (${counts.replace(/\.$/, "")}). The extremes are ${extremes}.`,
    );
    if (c.valence)
      sentences.push(
        `Across emotions, r tracks valence (${c.valence.source === "norms" ? "human norms" : "model PC1"}) at r = ${fixed(c.valence.r, 2)} (CI ${ci(c.valence.ci, 2)}, bootstrap over emotions; n = ${c.valence.n}).`,
      );
    const rob = f.robustness;
    if (rob && rob.settings.length > 1) {
      const counts = rob.settings.map((s) => s.significant);
      const sameTop = rob.settings.filter((s) => s.top?.emotion === rob.settings[0].top?.emotion).length;
      sentences.push(
        `Robustness over ${rob.settings.length} analysis settings (priors, Elo method, Pearson vs Spearman${rob.settings.some((s) => s.forwardPasses) ? ", and settings that re-read the model" : ""}): the most positive emotion is "${userText(rob.settings[0].top?.emotion ?? "")}" in ${sameTop} of them; ${significantAcross(counts)} q < ${rob.fdrAlpha}.`,
      );
    }
    if (c.qFloor > GUARD_THRESHOLDS.qFloor) {
      const needed = Math.ceil(c.emotions / GUARD_THRESHOLDS.qFloor) - 1;
      sentences.push(
        `Note: with ${c.permutations} permutations per emotion a permutation p cannot go below 1/${c.permutations + 1}, so with ${c.emotions} emotions a lone significant emotion cannot reach q below ${c.qFloor.toPrecision(2)}; set analysis.permutations to at least ${needed} to let q reach ${GUARD_THRESHOLDS.qFloor}.`,
      );
    }
  }
  if (p) {
    const level = Math.round(p.level * 100);
    const lead = c
      ? "Preferences"
      : noFinding !== null
        ? `Main finding: none: ${noFinding}. Preferences`
        : "Main finding";
    sentences.push(
      `${lead}: ${p.comparisons} comparisons over ${p.activities} activities. Most preferred: "${userText(p.best.text)}" (Elo ${fixed(p.best.elo, 0)}, ${level}% CI ${ci(p.best.eloCi, 0)}); least preferred: "${userText(p.worst.text)}" (Elo ${fixed(p.worst.elo, 0)}, CI ${ci(p.worst.eloCi, 0)}).`,
    );
  }
  const s = f.steering;
  if (s) {
    const shift = (e: SteeringResult["summary"][number]) =>
      `"${userText(e.emotion)}" ${signed(e.shift)} Elo (CI ${ci(e.ci, 0)}; steered - control ${signed(e.steeredMinusControl)}, CI ${ci(e.steeredMinusControlCi, 0)})`;
    const range =
      s.largestPositive === s.largestNegative
        ? shift(s.largestPositive)
        : `from ${shift(s.largestNegative)} to ${shift(s.largestPositive)}`;
    const v = s.shiftVsR;
    const agree = v
      ? ` Shift vs probe-preference r across steered emotions: r = ${fixed(v.r, 2)} (CI ${ci(v.ci, 2)}, bootstrap over emotions; permutation p = ${fixed(v.p, 3)}; n = ${v.n}); ${v.signAgreement.agree} of ${v.signAgreement.of} emotions shift in the direction of their r.`
      : "";
    sentences.push(
      `Steering ${s.emotions} emotion${s.emotions === 1 ? "" : "s"} (${s.dose}): Elo change of the steered activities ${range}.${agree}`,
    );
    if (v && orderings(v.n) < 1 / f.fdrAlpha)
      sentences.push(
        `Note: with ${v.n} steered emotions the shift-vs-r correlation is no evidence either way: only ${orderings(v.n)} orderings of ${v.n} emotions exist, so its permutation p cannot go below 1/${orderings(v.n)}, and its bootstrap resamples ${v.n} points; steer at least ${fewestPointsBelow(f.fdrAlpha)} emotions to test it at ${f.fdrAlpha}.`,
      );
  }
  if (p) {
    const offLabelText =
      p.meanOffLabelMass === null ? "" : `, mean mass off the labels ${fixed(p.meanOffLabelMass, 4)}`;
    sentences.push(
      `Controls: P(first option chosen) = ${fixed(p.pFirst, 3)} ${ci(p.pFirstCi, 3)}; intransitive triads ${fixed(p.intransitiveTriadShare * 100, 2)}%; ${p.refusals} refusals and ${p.unparseable} unparseable answers${offLabelText}.`,
    );
    if (Math.abs(p.pFirst - 0.5) > GUARD_THRESHOLDS.positionBias)
      sentences.push(
        `Note: strong position bias: the first option was chosen with probability ${fixed(p.pFirst, 3)} (beyond 0.5 +/- ${GUARD_THRESHOLDS.positionBias}). Every pair is asked in both orders, so Elo is balanced, but much of each answer follows the order rather than the activities.`,
      );
    if (p.intransitiveTriadShare > GUARD_THRESHOLDS.intransitiveTriadShare)
      sentences.push(
        `Note: ${fixed(p.intransitiveTriadShare * 100, 1)}% of activity triads are intransitive (above ${GUARD_THRESHOLDS.intransitiveTriadShare * 100}%): the preferences are far from a consistent order, so Elo ranks only part of them.`,
      );
  }
  sentences.push(`Model: ${userText(f.model)}.`);
  return sentences;
}

/** How many emotions pass the FDR threshold across the robustness settings: one count when every
 * setting agrees ("in every setting, 2 emotions have"), else the range. */
function significantAcross(counts: readonly number[]): string {
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  const emotions = (n: number) => `${n} ${n === 1 ? "emotion has" : "emotions have"}`;
  return low === high ? `in every setting, ${emotions(low)}` : `between ${low} and ${high} emotions have`;
}

/** n!: the distinct orderings a permutation test over n points can draw. */
function orderings(n: number): number {
  let count = 1;
  for (let k = 2; k <= n; k++) count *= k;
  return count;
}

/** The fewest points whose orderings let a permutation p go below `alpha` (4 for 0.05: 1/24). */
function fewestPointsBelow(alpha: number): number {
  let n = 1;
  while (orderings(n) < 1 / alpha) n++;
  return n;
}
