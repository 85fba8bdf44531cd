import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  isReproducibleArtifact,
  jsonlLines,
  noRunResultsError,
  presentRunResults,
  readChoices,
  runLayout,
} from "./run-layout.js";
import { type ChoiceRecord, pairIdOf } from "./schemas/choice-record.js";
import { RunStore } from "./store.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-run-layout-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function choice(key: string, a: string, b: string, pA: number): ChoiceRecord {
  return {
    key,
    condition: "baseline",
    model: "builtin:random-tiny",
    a,
    b,
    pairId: pairIdOf(a, b),
    order: a < b ? "ab" : "ba",
    promptHash: `prompt-${key}`,
    readout: "logits",
    sampleIndex: 0,
    pA,
    pB: 1 - pA,
    offLabelMass: 0.25,
    rawAnswer: null,
    choice: pA >= 0.5 ? "A" : "B",
    elapsedMs: 3,
    attempts: 1,
  };
}

describe("runLayout", () => {
  it("spells each file of a run folder once", () => {
    const files = runLayout(join("runs", "smoke-0123456789ab"));
    expect(files.choices).toBe(join("runs", "smoke-0123456789ab", "choices.jsonl"));
    expect(files.stageLog).toBe(join("runs", "smoke-0123456789ab", "stages.jsonl"));
    expect(files.vectors).toBe(join("runs", "smoke-0123456789ab", "vectors.safetensors"));
    expect(files.vectorsMeta).toBe(join("runs", "smoke-0123456789ab", "vectors.json"));
    expect(files.report).toBe(join("runs", "smoke-0123456789ab", "report"));
  });

  it("reproducible artifacts: results yes; raw choices, the report, bookkeeping no", () => {
    const yes = ["preferences.json", "vectors.safetensors", "vectors.json", "probes.json", "steering.json"];
    const no = [
      "choices.jsonl",
      "manifest.json",
      "stages.jsonl",
      "stages.jsonl.lock",
      "report/index.html",
      "report/charts/elo.png",
      ".probes.json.123.ab12cd34.tmp",
    ];
    expect(yes.filter(isReproducibleArtifact)).toEqual(yes);
    expect(no.filter(isReproducibleArtifact)).toEqual([]);
  });

  it("presentRunResults lists the result files there, and the error for none names them all", async () => {
    const run = join(dir, "partial");
    await mkdir(run);
    expect(await presentRunResults(run)).toEqual([]);
    await writeFile(join(run, "probes.json"), "{}");
    await writeFile(join(run, "choices.jsonl"), "");
    expect(await presentRunResults(run)).toEqual(["probes"]);
    expect(noRunResultsError(run).message).toBe(
      `${run}: nothing to report: none of preferences.json, vectors.json, probes.json, correlations.json, steering.json is here (run \`pva run <study>\` first, or the stage that writes one)`,
    );
  });
});

describe("the one torn-line rule", () => {
  it("jsonlLines: newline-terminated lines count, numbered as an editor does; the rest is torn", () => {
    expect(jsonlLines('{"a":1}\n\n{"b":2}\n{"c":')).toEqual({
      lines: [
        { lineNumber: 1, text: '{"a":1}' },
        { lineNumber: 3, text: '{"b":2}' },
      ],
      tornTail: '{"c":',
      missingNewline: false,
    });
    // A whole record without its newline counts (nothing a writer cut short parses as JSON).
    expect(jsonlLines('{"a":1}\n{"b":2}')).toEqual({
      lines: [
        { lineNumber: 1, text: '{"a":1}' },
        { lineNumber: 2, text: '{"b":2}' },
      ],
      tornTail: "",
      missingNewline: true,
    });
    expect(jsonlLines("")).toEqual({ lines: [], tornTail: "", missingNewline: false });
  });

  it("readChoices and RunStore agree on a torn file: the same records, one torn line", async () => {
    const file = join(dir, "choices.jsonl");
    const records = [choice("k1", "x", "y", 0.75), choice("k2", "y", "x", 0.125)];
    await writeFile(file, `${records.map((r) => JSON.stringify(r)).join("\n")}\n{"key":"k3","condi`);
    const read = await readChoices(file);
    expect(read.records.map((r) => [r.key, r.pA])).toEqual([
      ["k1", 0.75],
      ["k2", 0.125],
    ]);
    expect(read.tornLines).toBe(1);
    const store = await RunStore.open<ChoiceRecord>(file);
    try {
      expect(store.values().map((r) => r.key)).toEqual(["k1", "k2"]);
      expect(store.tornLines).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("a bad complete line is an error naming the file, the line and the field", async () => {
    const file = join(dir, "bad.jsonl");
    const good = JSON.stringify(choice("k1", "x", "y", 0.75));
    await writeFile(file, `${good}\nnot json\n${good}\n`);
    await expect(readChoices(file)).rejects.toThrow(`${file}: line 2: invalid JSON`);
    await writeFile(
      file,
      `${good}\n${JSON.stringify({ ...choice("k2", "x", "y", 0.5), choice: "maybe" })}\n`,
    );
    await expect(readChoices(file)).rejects.toThrow(/bad\.jsonl: line 2, choice: expected one of/);
    await expect(readChoices(join(dir, "none.jsonl"))).rejects.toThrow(/none\.jsonl: no such file/);
  });
});
