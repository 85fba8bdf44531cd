import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPva, SMOKE_STUDY } from "./pva-child.test-support.js";
import { allStages, optionsOf, stagesFor } from "./stages/study-stages.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-cli-options-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The long option names listed under "Options:" (not "Global Options:") of a command's help. */
function listedOptions(help: string): string[] {
  const section = help.split("\nOptions:\n")[1]?.split("\n\n")[0] ?? "";
  return [...section.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]).filter((o) => o !== "--help");
}

// What each command's stages read, written out by hand from what the stages do: elicit asks a
// backend (model or endpoints, concurrency) under a design (budget) with a seed; vectors and
// probe read the model's activations; analyze and steer run elicit first. Every stage that loads
// the model takes --quantize.
const ELICITING = ["--model", "--quantize", "--endpoint", "--out", "--seed", "--concurrency", "--budget"];
const EXPECTED: Record<string, string[]> = {
  run: ELICITING,
  elicit: ELICITING,
  vectors: ["--model", "--quantize", "--out"],
  probe: ["--model", "--quantize", "--out"],
  analyze: ELICITING,
  steer: ELICITING,
  report: ["--out"],
};

describe("each command takes only the options it uses", () => {
  it("stage prerequisites: a command runs its stage after the ones it reads, in pipeline order", () => {
    const names = (stages: { name: string }[]) => stages.map((s) => s.name);
    expect(names(stagesFor("elicit"))).toEqual(["elicit"]);
    expect(names(stagesFor("vectors"))).toEqual(["vectors"]);
    expect(names(stagesFor("probe"))).toEqual(["vectors", "probe"]);
    expect(names(stagesFor("analyze"))).toEqual(["elicit", "vectors", "probe", "analyze"]);
    expect(names(stagesFor("steer"))).toEqual(["elicit", "vectors", "probe", "analyze", "steer"]);
    expect(names(stagesFor("report"))).toEqual(["report"]);
    expect(names(allStages())).toEqual([
      "elicit",
      "vectors",
      "probe",
      "analyze",
      "robustness",
      "steer",
      "report",
    ]);
    expect(optionsOf(stagesFor("probe")).sort()).toEqual(["model", "out", "quantize"]);
    expect(optionsOf(stagesFor("report"))).toEqual(["out"]);
  });

  it("--help lists exactly those options, and --verbose once, as a global option", async () => {
    const commands = Object.keys(EXPECTED);
    const results = await Promise.all(commands.map((command) => runPva([command, "--help"], dir)));
    results.forEach((result, i) => {
      expect(result.code, commands[i]).toBe(0);
      expect(listedOptions(result.stdout).sort(), commands[i]).toEqual([...EXPECTED[commands[i]]].sort());
      expect(result.stdout.split("\nGlobal Options:\n")[1]).toMatch(/^ {2}--verbose /m);
    });
  });

  it("an option a command does not use is one pva: line and exit 2, before anything is written", async () => {
    const cases: [string[], string][] = [
      [
        ["report", SMOKE_STUDY, "--model", "x"],
        "pva: report: unknown option '--model' (see pva report --help)",
      ],
      [
        ["vectors", SMOKE_STUDY, "--budget", "5"],
        "pva: vectors: unknown option '--budget' (see pva vectors --help)",
      ],
      [["probe", SMOKE_STUDY, "--seed", "7"], "pva: probe: unknown option '--seed' (see pva probe --help)"],
      [
        ["report", SMOKE_STUDY, "--quantize", "q8_0"],
        "pva: report: unknown option '--quantize' (see pva report --help)",
      ],
      [
        ["model", "info", "builtin:random-tiny", "--out", "x"],
        "pva: model info: unknown option '--out' (see pva model info --help)",
      ],
      [["elicit"], "pva: elicit: missing required argument 'study' (see pva elicit --help)"],
    ];
    for (const [args, line] of cases) {
      const result = await runPva(args, dir);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toBe(`${line}\n`);
      expect(result.stdout).toBe("");
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it("a bad integer goes through the one integer parser, whichever command it is given to", async () => {
    const run = await runPva(["run", SMOKE_STUDY, "--concurrency", "0"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^pva: run: .*--concurrency expects an integer >= 1, got "0" \(see pva run --help\)\n$/,
    );
    const quantize = await runPva(["run", SMOKE_STUDY, "--quantize", "q3_k"], dir);
    expect(quantize.code).toBe(2);
    expect(quantize.stderr).toMatch(
      /^pva: run: .*--quantize expects one of q8_0, q4_0, q4_k, q5_k, q6_k, got "q3_k" \(see pva run --help\)\n$/,
    );
    const fit = await runPva(["prefs", "fit", "x.jsonl", "--bootstrap", "1.5"], dir);
    expect(fit.code).toBe(2);
    expect(fit.stderr).toMatch(/^pva: prefs fit: .*--bootstrap expects an integer >= 0, got "1\.5"/);
  });

  it("report on a run folder refuses --out, which only places a study's run folders", async () => {
    const run = join(dir, "runs", "smoke-000000000000");
    await mkdir(run, { recursive: true });
    await writeFile(join(run, "stages.jsonl"), "");
    const result = await runPva(["report", run, "--out", "elsewhere"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^pva: --out places a study's run folders; .* is a run folder/);
    expect(await readdir(run)).toEqual(["stages.jsonl"]);
    await rm(join(dir, "runs"), { recursive: true });
  });
});
