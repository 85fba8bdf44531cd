import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeRunFixture } from "../test/run-fixture.js";
import { GUARD_THRESHOLDS, reportFindings, summarySentences, summaryWarnings } from "./report-findings.js";
import { loadRunArtifacts, type RunArtifacts } from "./run-artifacts.js";

let dir: string;
let run: RunArtifacts;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-report-findings-"));
  await writeRunFixture(dir, { resamples: 50 });
  run = await loadRunArtifacts(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The fixture run as if a trained model (id and metadata not random) had produced it. */
function trainedModelRun(artifacts: RunArtifacts = run): RunArtifacts {
  const manifest = artifacts.manifest!;
  return {
    ...artifacts,
    manifest: {
      ...manifest,
      model: { ...manifest.model, id: "hf:org/trained", builtinRandom: false, randomWeights: false },
    },
  };
}

describe("summary sentences", () => {
  it("lead with the strongest correlations and how many survive the FDR correction", () => {
    const findings = reportFindings(trainedModelRun());
    const emotions = run.correlations!.emotions;
    const significant = emotions.filter((e) => e.q < 0.05).length;
    const top = [...emotions].sort((a, b) => b.pearson - a.pearson)[0];
    const [first] = summarySentences(findings);
    expect(first).toMatch(/^Main finding: the emotion probes track the model's preferences\./);
    expect(first).toContain(
      `"${top.emotion}" (r = ${top.pearson.toFixed(2)}, 95% CI [${top.pearsonCi![0].toFixed(2)}, ${top.pearsonCi![1].toFixed(2)}]`,
    );
    expect(first).toContain(`${significant} of 171 emotions are significant at Benjamini-Hochberg q < 0.05`);
  });

  it("never name an emotion whose correlation is undefined (noted, r written as 0) as the strongest", () => {
    const [flat, ...rest] = run.correlations!.emotions;
    const negative = {
      ...run.correlations!,
      emotions: [
        { ...flat, pearson: 0, note: "probe score is constant across activities: no correlation" },
        ...rest.map((e) => ({ ...e, pearson: -Math.abs(e.pearson) - 0.01 })),
      ],
    };
    const findings = reportFindings({ ...run, correlations: negative });
    expect(findings.correlation?.strongestPositive.emotion).not.toBe(flat.emotion);
    expect(findings.correlation?.strongestPositive.pearson).toBeLessThan(0);
  });

  it("say plainly that nothing is significant when nothing is", () => {
    const noise = {
      ...run.correlations!,
      emotions: run.correlations!.emotions.map((e) => ({ ...e, q: 0.6 })),
    };
    const [first] = summarySentences(reportFindings(trainedModelRun({ ...run, correlations: noise })));
    expect(first).toMatch(/^Main finding: no emotion probe tracks the model's preferences after correcting/);
    expect(first).toContain("(0 of 171 emotions are significant");
  });

  it("state a steering range from the most negative to the most positive shift, or the one shift there is", () => {
    const steering = run.steering!;
    const sentences = summarySentences(reportFindings(run));
    const byShift = [...steering.summary].sort((a, b) => a.shift - b.shift);
    const line = sentences.find((s) => s.startsWith("Steering 8 emotions"));
    expect(line).toContain(`from "${byShift[0].emotion}" ${byShift[0].shift.toFixed(0)} Elo`);
    expect(line).toContain(`to "${byShift[7].emotion}" +${byShift[7].shift.toFixed(0)} Elo`);
    const one = { ...steering, summary: [{ ...steering.summary[0], shift: -3.2 }] };
    const single = summarySentences(reportFindings({ ...run, steering: one })).find((s) =>
      s.startsWith("Steering"),
    );
    expect(single).toMatch(
      new RegExp(
        `^Steering 1 emotion \\(strength 0\\.50 x the mean residual norm added at each of layers 2 to 5; in total 1\\.44 x the norm at layer 5\\): Elo change of the steered activities "${one.summary[0].emotion}" -3 Elo`,
      ),
    );
    // The fixture's norms at layers 2..5 are 4, 5, 6, 8: 0.5 x 23 / 8 = 1.4375 of layer 5's norm.
  });

  it("state shift vs r with its bootstrap interval, permutation p and the sign count", () => {
    const v = run.steering!.shiftVsR!;
    const line = summarySentences(reportFindings(run)).find((s) => s.startsWith("Steering 8 emotions"));
    expect(line).toContain(
      `r = ${v.r.toFixed(2)} (CI [${v.ci[0].toFixed(2)}, ${v.ci[1].toFixed(2)}], bootstrap over emotions; permutation p = 0.001; n = 8); ${v.signAgreement.agree} of 8 emotions shift in the direction of their r.`,
    );
  });

  it("say that shift vs r over 3 steered emotions is no evidence, and say nothing of the kind over 4", () => {
    const steering = run.steering!;
    const over = (n: number) =>
      summarySentences(
        reportFindings({
          ...run,
          steering: { ...steering, shiftVsR: { ...steering.shiftVsR!, n } },
        }),
      ).filter((s) => s.includes("steered emotions the shift-vs-r"));
    // 3! = 6 orderings: p >= 1/6 > 0.05; 4! = 24: p can reach 1/24 < 0.05.
    expect(over(3)).toEqual([
      "Note: with 3 steered emotions the shift-vs-r correlation is no evidence either way: only 6 orderings of 3 emotions exist, so its permutation p cannot go below 1/6, and its bootstrap resamples 3 points; steer at least 4 emotions to test it at 0.05.",
    ]);
    expect(over(4)).toEqual([]);
    expect(over(8)).toEqual([]);
  });

  it("state how the headline fares across the robustness settings, and nothing without the panel", () => {
    const rob = run.robustness!;
    const line = summarySentences(reportFindings(run)).find((s) => s.startsWith("Robustness"));
    expect(line).toContain(`Robustness over ${rob.settings.length} analysis settings`);
    const withCounts = (counts: number[]) =>
      summarySentences(
        reportFindings({
          ...run,
          robustness: {
            ...rob,
            settings: rob.settings.slice(0, counts.length).map((s, i) => ({ ...s, significant: counts[i] })),
          },
        }),
      ).find((s) => s.startsWith("Robustness"));
    expect(withCounts([2, 0, 3])).toContain("between 0 and 3 emotions have q < 0.05");
    expect(withCounts([1, 1, 1])).toContain("in every setting, 1 emotion has q < 0.05");
    expect(withCounts([0, 0])).toContain("in every setting, 0 emotions have q < 0.05");
    const without = summarySentences(reportFindings({ ...run, robustness: null }));
    expect(without.some((s) => s.startsWith("Robustness"))).toBe(false);
  });

  it("make preferences the main finding of a run without correlations, and name a random model", () => {
    const findings = reportFindings({ ...run, correlations: null, manifest: null });
    expect(findings.builtinRandom).toBe(true);
    expect(summarySentences(findings)[0]).toMatch(
      /^Main finding: none: the model has random weights, so these numbers only show that the pipeline runs\. Preferences: \d+ comparisons over 64 activities\. Most preferred: /,
    );
    const trained = reportFindings({ ...trainedModelRun(), correlations: null });
    expect(summarySentences(trained)[0]).toMatch(
      /^Main finding: \d+ comparisons over 64 activities\. Most preferred: /,
    );
    expect(
      reportFindings({ ...run, manifest: null, preferences: { ...run.preferences!, model: "hf:org/m" } })
        .builtinRandom,
    ).toBe(false);
  });
});

describe("summary guards (the rules in the report README)", () => {
  const trained = () => trainedModelRun();
  const withDiagnostics = (diagnostics: Partial<NonNullable<RunArtifacts["preferences"]>["diagnostics"]>) => {
    const r = trained();
    return {
      ...r,
      preferences: { ...r.preferences!, diagnostics: { ...r.preferences!.diagnostics, ...diagnostics } },
    };
  };

  it("banner a model whose own metadata marks it random, whatever its id, and state no finding", () => {
    const r = trained();
    const stamped = {
      ...r,
      manifest: {
        ...r.manifest!,
        model: { ...r.manifest!.model, id: "/models/llama-folder", randomWeights: true },
      },
    };
    const findings = reportFindings(stamped);
    expect(findings.builtinRandom).toBe(false);
    expect(findings.randomWeights).toBe(true);
    expect(summaryWarnings(findings)).toEqual([
      "WARNING: this run used a RANDOM model (/models/llama-folder): its weights are random, so its numbers are noise and say nothing about any real model.",
    ]);
    const [first] = summarySentences(findings);
    expect(first).toMatch(/^Main finding: none: the model has random weights/);
    expect(first).not.toContain("track the model's preferences");
    // The same run from a trained model: no banner, and the finding is stated.
    expect(summaryWarnings(reportFindings(trained()))).toEqual([]);
  });

  it("warn when the model rarely answered with a label (mean off-label mass above 0.5), and state no finding", () => {
    const heavy = reportFindings(withDiagnostics({ meanOffLabelMass: 0.999 }));
    expect(summaryWarnings(heavy)).toEqual([
      "WARNING: the model rarely answered with a label: on average 99.9% of its next-token probability went to tokens other than the two labels, so its choices carry little information.",
    ]);
    expect(summarySentences(heavy)[0]).toMatch(
      /^Main finding: none: the model rarely answered with a label, so its choices carry little information\./,
    );
    // At the threshold, and with no readout of the mass at all, nothing is said.
    expect(
      summaryWarnings(reportFindings(withDiagnostics({ meanOffLabelMass: GUARD_THRESHOLDS.offLabelMass }))),
    ).toEqual([]);
    expect(summaryWarnings(reportFindings(withDiagnostics({ meanOffLabelMass: null })))).toEqual([]);
  });

  it("note the q floor of a 200-permutation run and name the setting that lowers it", () => {
    const r = trained();
    // 10 emotions, 200 permutations: a lone emotion at the smallest p, 1/201, gets q = 10/201.
    const emotions = r.correlations!.emotions.slice(0, 10);
    const few = reportFindings({ ...r, correlations: { ...r.correlations!, emotions, permutations: 200 } });
    expect(few.correlation?.qFloor).toBeCloseTo(10 / 201, 15);
    const note = summarySentences(few).find((s) => s.startsWith("Note: with 200 permutations"));
    expect(note).toBe(
      "Note: with 200 permutations per emotion a permutation p cannot go below 1/201, so with 10 emotions a lone significant emotion cannot reach q below 0.050; set analysis.permutations to at least 999 to let q reach 0.01.",
    );
    // 999 permutations over 10 emotions: floor 10/1000 = 0.01, not above the limit, so no note.
    const enough = reportFindings({
      ...r,
      correlations: { ...r.correlations!, emotions, permutations: 999 },
    });
    expect(summarySentences(enough).some((s) => s.startsWith("Note: with"))).toBe(false);
  });

  it("note position bias and intransitivity beyond their thresholds, and only then", () => {
    const biased = summarySentences(
      reportFindings(withDiagnostics({ pFirst: 0.71, intransitiveTriadShare: 0.12 })),
    );
    expect(biased).toContain(
      "Note: strong position bias: the first option was chosen with probability 0.710 (beyond 0.5 +/- 0.1). Every pair is asked in both orders, so Elo is balanced, but much of each answer follows the order rather than the activities.",
    );
    expect(biased).toContain(
      "Note: 12.0% of activity triads are intransitive (above 5%): the preferences are far from a consistent order, so Elo ranks only part of them.",
    );
    const clean = summarySentences(
      reportFindings(withDiagnostics({ pFirst: 0.45, intransitiveTriadShare: 0.05 })),
    );
    expect(
      clean.filter((s) => s.startsWith("Note: strong position") || s.includes("intransitive (above")),
    ).toEqual([]);
    const low = summarySentences(reportFindings(withDiagnostics({ pFirst: 0.35 })));
    expect(
      low.some((s) =>
        s.startsWith("Note: strong position bias: the first option was chosen with probability 0.350"),
      ),
    ).toBe(true);
  });
});
