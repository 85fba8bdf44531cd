import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeRunFixture } from "../test/run-fixture.js";
import { reportFindings, summarySentences } from "./report-findings.js";
import { loadRunArtifacts, type RunArtifacts } from "./run-artifacts.js";

let dir: string;
let run: RunArtifacts;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-report-findings-"));
  await writeRunFixture(dir, { resamples: 50 });
  run = await loadRunArtifacts(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("summary sentences", () => {
  it("lead with the strongest correlations and how many survive the FDR correction", () => {
    const findings = reportFindings(run);
    const emotions = run.correlations!.emotions;
    const significant = emotions.filter((e) => e.q < 0.05).length;
    const top = [...emotions].sort((a, b) => b.pearson - a.pearson)[0];
    const [first] = summarySentences(findings);
    expect(first).toMatch(/^Main finding: the emotion probes track the model's preferences\./);
    expect(first).toContain(
      `"${top.emotion}" (r = ${top.pearson.toFixed(2)}, 95% CI [${top.pearsonCi[0].toFixed(2)}, ${top.pearsonCi[1].toFixed(2)}]`,
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
    const [first] = summarySentences(reportFindings({ ...run, correlations: noise }));
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
        `^Steering 1 emotion: Elo shift of the steered activities "${one.summary[0].emotion}" -3 Elo`,
      ),
    );
  });

  it("make preferences the main finding of a run without correlations, and name a random model", () => {
    const findings = reportFindings({ ...run, correlations: null, manifest: null });
    expect(findings.builtinRandom).toBe(true);
    expect(summarySentences(findings)[0]).toMatch(
      /^Main finding: \d+ comparisons over 64 activities\. Most preferred: /,
    );
    expect(
      reportFindings({ ...run, manifest: null, preferences: { ...run.preferences!, model: "hf:org/m" } })
        .builtinRandom,
    ).toBe(false);
  });
});
