import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ChoiceRecord,
  createRng,
  defaultActivities,
  InputError,
  PreferenceScoresSchema,
  PvaError,
  pairIdOf,
} from "@pva/core";
import { sampleRankCorrelation } from "simple-statistics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fitChoicesFile } from "./fit-choices-file.js";
import { fitPreferences } from "./fit-preferences.js";

const activities = defaultActivities.slice(0, 12);

function record(a: string, b: string, fields: Partial<ChoiceRecord>, n = 0): ChoiceRecord {
  return {
    key: `${a}>${b}#${n}`,
    condition: "baseline",
    model: "test",
    a,
    b,
    pairId: pairIdOf(a, b),
    order: a < b ? "ab" : "ba",
    promptHash: "h",
    readout: "samples",
    sampleIndex: n,
    pA: null,
    pB: null,
    offLabelMass: null,
    rawAnswer: "A",
    choice: "A",
    elapsedMs: 1,
    attempts: 1,
    ...fields,
  };
}

/** Soft answers from known utilities with a first-position bias, all ordered pairs. */
function simulatedRecords(seed: string, bias: number) {
  const rng = createRng(seed);
  const truth = activities.map(() => rng.normal());
  const records: ChoiceRecord[] = [];
  activities.forEach((a, i) => {
    activities.forEach((b, j) => {
      if (i === j) return;
      const pA = 1 / (1 + Math.exp(-(truth[i] - truth[j] + bias + 0.3 * rng.normal())));
      records.push(
        record(a.id, b.id, {
          readout: "logits",
          pA,
          pB: 1 - pA,
          offLabelMass: 0.2,
          choice: pA >= 0.5 ? "A" : "B",
        }),
      );
    });
  });
  return { truth, records };
}

describe("fitPreferences", () => {
  it("produces valid scores: Elo mean 1500, CIs around the estimate, the position bias and its CI", () => {
    const { truth, records } = simulatedRecords("fit-prefs", 0.6);
    const scores = fitPreferences(records, activities, { bootstrap: 300, seed: 1, refusalPolicy: "skip" });
    expect(PreferenceScoresSchema.parse(scores)).toEqual(scores);
    const elos = scores.activities.map((a) => a.elo);
    expect(elos.reduce((x, y) => x + y, 0) / elos.length).toBeCloseTo(1500, 8);
    for (const a of scores.activities) {
      expect(a.eloCi[0]).toBeLessThan(a.elo);
      expect(a.eloCi[1]).toBeGreaterThan(a.elo);
      expect(a.comparisons).toBe(2 * (activities.length - 1));
    }
    expect(sampleRankCorrelation(truth, elos)).toBeGreaterThan(0.95);
    expect(
      sampleRankCorrelation(
        elos,
        scores.activities.map((a) => a.eloSequential),
      ),
    ).toBeGreaterThan(0.9);
    // A first-position bias of 0.6 logits shows: sigmoid(0.6) = 0.646 before the utilities' spread.
    expect(scores.diagnostics.pFirst).toBeGreaterThan(0.55);
    expect(scores.diagnostics.pFirstCi[0]).toBeLessThan(scores.diagnostics.pFirst);
    expect(scores.diagnostics.pFirstCi[1]).toBeGreaterThan(scores.diagnostics.pFirst);
    expect(scores.diagnostics.meanOffLabelMass).toBeCloseTo(0.2, 12);
    expect(scores.comparisons).toBe(records.length);
  });

  it("reads pFirst as the mean probability that the first-shown option won (hand-worked values)", () => {
    const three = activities.slice(0, 3);
    const [x, y, z] = three.map((a) => a.id);
    const soft = (a: string, b: string, pA: number) =>
      record(a, b, { readout: "logits", pA, pB: 1 - pA, choice: pA >= 0.5 ? "A" : "B", rawAnswer: "A" });
    const records = [
      soft(x, y, 0.9),
      soft(y, x, 0.6),
      soft(x, z, 0.55),
      soft(z, x, 0.2),
      soft(y, z, 0.7),
      soft(z, y, 0.3),
    ];
    const scores = fitPreferences(records, three, { bootstrap: 0, seed: 1, refusalPolicy: "skip" });
    // (0.9 + 0.6 + 0.55 + 0.2 + 0.7 + 0.3) / 6 = 3.25 / 6; the share of "A" answers would be 4 / 6.
    expect(scores.diagnostics.pFirst).toBeCloseTo(3.25 / 6, 12);
    // x is in the first four answers, in either position: (0.9 + 0.6 + 0.55 + 0.2) / 4.
    expect(scores.activities.find((a) => a.id === x)!.pFirstWhenPresent).toBeCloseTo(0.5625, 12);
  });

  it("writes each activity's decided and cyclic triads, counted from its answers (hand-worked)", () => {
    const four = activities.slice(0, 4);
    const [w, x, y, z] = four.map((a) => a.id);
    // One answer per pair, the first-shown option chosen: w > x > y > w is a cycle, z loses to all.
    // Triads: {w,x,y} cyclic; {w,x,z}, {w,y,z}, {x,y,z} transitive. Each activity is in 3 of them.
    const records = [
      record(w, x, { choice: "A" }),
      record(x, y, { choice: "A" }),
      record(y, w, { choice: "A" }),
      record(w, z, { choice: "A" }),
      record(x, z, { choice: "A" }),
      record(y, z, { choice: "A" }),
    ];
    const scores = fitPreferences(records, four, { bootstrap: 0, seed: 1, refusalPolicy: "skip" });
    expect(scores.activities.map((a) => [a.id, a.triads])).toEqual([
      [w, { decided: 3, cyclic: 1 }],
      [x, { decided: 3, cyclic: 1 }],
      [y, { decided: 3, cyclic: 1 }],
      [z, { decided: 3, cyclic: 0 }],
    ]);
    expect(scores.diagnostics.intransitiveTriadShare).toBe(1 / 4);
    expect(PreferenceScoresSchema.parse(scores)).toEqual(scores);
  });

  it("does not depend on the order records were written in", () => {
    const { records } = simulatedRecords("order", 0);
    const opts = { bootstrap: 50, seed: 2, refusalPolicy: "skip" as const };
    expect(fitPreferences([...records].reverse(), activities, opts)).toEqual(
      fitPreferences(records, activities, opts),
    );
  });

  it("applies the refusal policy it is given and counts refusals and unparseable answers either way", () => {
    const [x, y, z] = activities.map((a) => a.id);
    const three = activities.slice(0, 3);
    const base = [
      record(x, z, { choice: "A" }),
      record(z, x, { choice: "B" }),
      record(y, z, { choice: "A" }),
      record(z, y, { choice: "B" }),
    ];
    const refusals = [0, 1, 2, 3].map((n) => record(x, y, { choice: "refusal", rawAnswer: "I can't" }, n));
    const garbled = record(y, x, { choice: "unparseable", rawAnswer: "???" });
    const all = [...base, ...refusals, garbled];
    const fit = (policy: "tie" | "skip" | "loss-both") =>
      fitPreferences(all, three, { bootstrap: 0, seed: 1, refusalPolicy: policy });
    const skip = fit("skip");
    const tie = fit("tie");
    const lossBoth = fit("loss-both");
    expect(skip.comparisons).toBe(4);
    expect(tie.comparisons).toBe(8);
    expect(lossBoth.comparisons).toBe(4);
    for (const scores of [skip, tie, lossBoth]) {
      expect(scores.diagnostics.refusals).toBe(4);
      expect(scores.diagnostics.unparseable).toBe(1);
      expect(scores.activities[0].refusals).toBe(4);
      expect(scores.activities[1].unparseable).toBe(1);
    }
    // skip: x and y never met, both beat z equally -> level; tie: a draw between them -> still level
    expect(skip.activities[0].elo).toBeCloseTo(skip.activities[1].elo, 6);
    expect(tie.activities[0].elo).toBeCloseTo(tie.activities[1].elo, 6);
    expect(skip.winMatrix.p[0][1]).toBeNull();
    expect(tie.winMatrix.p[0][1]).toBe(0.5);
    // loss-both: refusing costs both activities strength against the average
    expect(lossBoth.activities[0].elo).toBeLessThan(skip.activities[0].elo);
    expect(lossBoth.activities[2].elo).toBeGreaterThan(skip.activities[2].elo);
  });

  it("refuses records naming unknown activities, or mixing conditions", () => {
    const opts = { bootstrap: 0, seed: 1, refusalPolicy: "skip" as const };
    expect(() => fitPreferences([record("nope", activities[0].id, {})], activities, opts)).toThrow(PvaError);
    const [x, y] = activities.map((a) => a.id);
    const mixed = [record(x, y, {}), { ...record(y, x, {}), condition: "steered" }];
    expect(() => fitPreferences(mixed, activities, opts)).toThrow(/conditions/);
  });
});

describe("fitChoicesFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pva-prefs-fit-file-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("fits plain {a, b, pA} rows and ChoiceRecords alike", async () => {
    const { records } = simulatedRecords("file", 0);
    const recordsFile = join(dir, "choices.jsonl");
    await writeFile(recordsFile, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const plainFile = join(dir, "plain.jsonl");
    await writeFile(plainFile, records.map((r) => JSON.stringify({ a: r.a, b: r.b, pA: r.pA })).join("\n"));
    const fromRecords = await fitChoicesFile(recordsFile, { bootstrap: 100, seed: 5 });
    const fromPlain = await fitChoicesFile(plainFile, { bootstrap: 100, seed: 5 });
    expect(fromRecords.activities.map((a) => a.id)).toEqual(fromPlain.activities.map((a) => a.id));
    fromRecords.activities.forEach((a, i) => {
      expect(fromPlain.activities[i].elo).toBeCloseTo(a.elo, 8);
    });
    // default-catalog ids get their real text and category
    expect(fromPlain.activities[0].text).toBe(
      activities.find((a) => a.id === fromPlain.activities[0].id)!.text,
    );
  });

  it("names the file, line and field of a bad row", async () => {
    const file = join(dir, "bad.jsonl");
    await writeFile(file, '{"a": "x", "b": "y", "pA": 0.3}\n{"a": "x", "b": "y", "pA": 1.5}\n');
    await expect(fitChoicesFile(file)).rejects.toThrow(InputError);
    await expect(fitChoicesFile(file)).rejects.toThrow(`${file}: line 2.pA: expected a number in [0, 1]`);
    await writeFile(file, "not json\n");
    await expect(fitChoicesFile(file)).rejects.toThrow(`${file}: line 1: expected a JSON object`);
  });

  it("leaves out a torn final line, as RunStore and readChoices do, and says which", async () => {
    const file = join(dir, "torn.jsonl");
    const rows = '{"a": "x", "b": "y", "pA": 0.75}\n{"a": "y", "b": "x", "pA": 0.5}\n';
    await writeFile(file, `${rows}{"a": "x", "b`);
    const torn: number[] = [];
    const fitted = await fitChoicesFile(file, { bootstrap: 0, onTornLine: (line) => torn.push(line) });
    expect(torn).toEqual([3]);
    expect(fitted.comparisons).toBe(2);
    // Without the torn tail, the same fit; a whole last row without a newline still counts.
    await writeFile(file, rows);
    expect((await fitChoicesFile(file, { bootstrap: 0 })).activities).toEqual(fitted.activities);
    await writeFile(file, `${rows}{"a": "x", "b": "y", "pA": 1}`);
    expect((await fitChoicesFile(file, { bootstrap: 0 })).comparisons).toBe(3);
  });
});
