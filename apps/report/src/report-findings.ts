import type { ActivityScore, EmotionCorrelation } from "@pva/core";
import { fixed, interval, signed } from "./number-text.js";
import type { RunArtifacts } from "./run-artifacts.js";

/** The key numbers of a run, shared by the page's summary and `summary.md`. */
export interface ReportFindings {
  model: string;
  builtinRandom: boolean;
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
    valence: { source: string; r: number; n: number } | null;
  } | null;
  steering: {
    emotions: number;
    largestPositive: { emotion: string; strength: number; shift: number; ci: [number, number] };
    largestNegative: { emotion: string; strength: number; shift: number; ci: [number, number] };
    shiftVsR: { r: number; signAgreement: number; n: number } | null;
  } | null;
}

const BUILTIN_RANDOM = /^builtin:random/;

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
  return {
    model,
    builtinRandom: manifest?.model.builtinRandom ?? BUILTIN_RANDOM.test(model),
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
          }
        : null,
    steering:
      steering && bySift.length > 0
        ? {
            emotions: new Set(steering.summary.map((s) => s.emotion)).size,
            largestPositive: bySift[0],
            largestNegative: bySift[bySift.length - 1],
            shiftVsR: steering.shiftVsR,
          }
        : null,
  };
}

const ci = interval;

/**
 * The summary in plain words. The first sentence is the main finding. Text from the study (emotion
 * names, activity texts, the model id) goes through `userText`: `summary.md` escapes it for
 * Markdown there, so that the report's own words and numbers stay as written; the page escapes
 * whole sentences for HTML.
 */
export function summarySentences(f: ReportFindings, userText: (text: string) => string = (t) => t): string[] {
  const sentences: string[] = [];
  const c = f.correlation;
  const p = f.preferences;
  if (c) {
    const pos = c.strongestPositive;
    const neg = c.strongestNegative;
    const extremes = `"${userText(pos.emotion)}" (r = ${fixed(pos.pearson, 2)}, 95% CI ${ci(pos.pearsonCi, 2)}, q = ${pos.q.toPrecision(2)}) and the most negative "${userText(neg.emotion)}" (r = ${fixed(neg.pearson, 2)}, CI ${ci(neg.pearsonCi, 2)}, q = ${neg.q.toPrecision(2)})`;
    const counts = `${c.significant} of ${c.emotions} emotions are significant at Benjamini-Hochberg q < ${f.fdrAlpha}; ${c.absOverPoint3} have |r| > 0.3 (layer ${c.layer}).`;
    // With nothing significant, the top r is noise and the headline must not read as a finding.
    sentences.push(
      c.significant > 0
        ? `Main finding: the emotion probes track the model's preferences. The most positive correlation is ${extremes}. ${counts}`
        : `Main finding: no emotion probe tracks the model's preferences after correcting for multiple comparisons (${counts.replace(/\.$/, "")}). The extremes are ${extremes}.`,
    );
    if (c.valence)
      sentences.push(
        `Across emotions, r tracks valence (${c.valence.source === "norms" ? "human norms" : "model PC1"}) at r = ${fixed(c.valence.r, 2)} (n = ${c.valence.n}).`,
      );
  }
  if (p) {
    const level = Math.round(p.level * 100);
    sentences.push(
      `${c ? "Preferences" : "Main finding"}: ${p.comparisons} comparisons over ${p.activities} activities. Most preferred: "${userText(p.best.text)}" (Elo ${fixed(p.best.elo, 0)}, ${level}% CI ${ci(p.best.eloCi, 0)}); least preferred: "${userText(p.worst.text)}" (Elo ${fixed(p.worst.elo, 0)}, CI ${ci(p.worst.eloCi, 0)}).`,
    );
  }
  const s = f.steering;
  if (s) {
    const shift = (e: { emotion: string; shift: number; ci: [number, number]; strength: number }) =>
      `"${userText(e.emotion)}" ${signed(e.shift)} Elo (CI ${ci(e.ci, 0)}, strength ${e.strength})`;
    const range =
      s.largestPositive === s.largestNegative
        ? shift(s.largestPositive)
        : `from ${shift(s.largestNegative)} to ${shift(s.largestPositive)}`;
    const agree = s.shiftVsR
      ? ` Shift vs probe-preference r across steered emotions: r = ${fixed(s.shiftVsR.r, 2)} (sign agreement ${fixed(s.shiftVsR.signAgreement * 100, 0)}%, n = ${s.shiftVsR.n}).`
      : "";
    sentences.push(
      `Steering ${s.emotions} emotion${s.emotions === 1 ? "" : "s"}: Elo shift of the steered activities ${range}.${agree}`,
    );
  }
  if (p) {
    const offLabel =
      p.meanOffLabelMass === null ? "" : `, mean mass off the labels ${fixed(p.meanOffLabelMass, 4)}`;
    sentences.push(
      `Controls: P(first option chosen) = ${fixed(p.pFirst, 3)} ${ci(p.pFirstCi, 3)}; intransitive triads ${fixed(p.intransitiveTriadShare * 100, 2)}%; ${p.refusals} refusals and ${p.unparseable} unparseable answers${offLabel}.`,
    );
  }
  sentences.push(`Model: ${userText(f.model)}.`);
  return sentences;
}
