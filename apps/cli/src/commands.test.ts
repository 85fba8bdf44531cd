import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeRandomCheckpoint } from "@pva/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onlyRunFolder, runPva, SMOKE_STUDY } from "./pva-child.test-support.js";

let dir: string;
let run: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-cli-commands-"));
  const result = await runPva(["elicit", SMOKE_STUDY, "--out", "runs"], dir);
  expect(result.code).toBe(0);
  run = await onlyRunFolder(join(dir, "runs"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("pva subcommands", () => {
  it("--help on every command shows its usage and examples", async () => {
    const commands = [
      ["run"],
      ["elicit"],
      ["vectors"],
      ["probe"],
      ["analyze"],
      ["steer"],
      ["report"],
      ["prefs", "fit"],
      ["stories", "generate"],
      ["model", "pull"],
      ["model", "info"],
    ];
    const results = await Promise.all(commands.map((command) => runPva([...command, "--help"], dir)));
    results.forEach((result, i) => {
      expect(result.code, commands[i].join(" ")).toBe(0);
      expect(result.stdout).toContain(`Usage: pva ${commands[i].join(" ")}`);
      expect(result.stdout).toMatch(new RegExp(`Examples:\\n  \\$ pva ${commands[i].join(" ")} `));
    });
  });

  it("elicit --budget spends comparisons (ordered prompts), and says why when it stops short", async () => {
    const result = await runPva(["elicit", SMOKE_STUDY, "--budget", "100", "--out", "budget"], dir);
    expect(result.code, result.stderr).toBe(0);
    const folder = await onlyRunFolder(join(dir, "budget"));
    const asked = (await readFile(join(folder, "choices.jsonl"), "utf8")).trim().split("\n").length;
    // 16 activities: the ranking of the random model settles before 100 of the 240 prompts.
    expect(asked).toBeLessThan(100);
    expect(result.stderr).toContain(`elicit: ${asked}/100 comparisons in`);
    expect(result.stderr).toContain(`(ranking stable for 2 rounds after ${asked} of 100 comparisons)`);
  });

  it("prefs fit refits a choices file to exactly the run's preferences.json", async () => {
    const result = await runPva(
      [
        "prefs",
        "fit",
        join(run, "choices.jsonl"),
        "--json",
        "--bootstrap",
        "200",
        "--seed",
        "1234",
        "--activities",
        join(SMOKE_STUDY, "activities.csv"),
      ],
      dir,
    );
    expect(result.code).toBe(0);
    const fromRun = JSON.parse(await readFile(join(run, "preferences.json"), "utf8"));
    expect(JSON.parse(result.stdout)).toEqual(fromRun);
    const table = await runPva(["prefs", "fit", join(run, "choices.jsonl"), "--bootstrap", "50"], dir);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines).toHaveLength(1 + 16 + 1);
    expect(lines[1]).toMatch(/^ {2}1 {2}[a-z-]+ +[A-Za-z-]+ +\d{4} {2}\[\d+, \d+\] +\d+%$/);
    expect(lines.at(-1)).toMatch(/^240 comparisons; P\(first\) 0\.\d{3}/);
  });

  it("prefs fit reads rows {a, b, pA} from another harness, and names a file that is not there", async () => {
    const rows = [
      { a: "write-haiku", b: "fill-forms", pA: 0.9 },
      { a: "fill-forms", b: "write-haiku", pA: 0.2 },
      { a: "fill-forms", b: "sort-mail", pA: 0.7 },
      { a: "sort-mail", b: "fill-forms", pA: 0.4 },
      { a: "write-haiku", b: "sort-mail", pA: 0.95 },
      { a: "sort-mail", b: "write-haiku", pA: 0.1 },
    ];
    await writeFile(join(dir, "harness.jsonl"), rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
    const fitted = await runPva(["prefs", "fit", "harness.jsonl", "--json", "--bootstrap", "0"], dir);
    expect(fitted.code).toBe(0);
    const scores = JSON.parse(fitted.stdout) as {
      activities: { id: string; elo: number }[];
      comparisons: number;
    };
    expect(scores.comparisons).toBe(6);
    const ranked = [...scores.activities].sort((x, y) => y.elo - x.elo).map((a) => a.id);
    expect(ranked).toEqual(["write-haiku", "fill-forms", "sort-mail"]);
    const missing = await runPva(["prefs", "fit", "nothing.jsonl"], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe("pva: nothing.jsonl: (file): file not found");
  });

  it("model info describes a model", async () => {
    const result = await runPva(["model", "info", "builtin:random-tiny", "--json"], dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      id: "builtin:random-tiny",
      builtinRandom: true,
      architecture: "llama",
      numLayers: 4,
      hiddenSize: 64,
      vocabSize: 1024,
      // 1024 x 64 tied embeddings, 4 layers of q/o 64x64, k/v 32x64, gate/up/down 128x64 and two norms, a final norm.
      parameters: 1024 * 64 + 4 * (2 * 64 * 64 + 2 * 32 * 64 + 3 * 128 * 64 + 2 * 64) + 64,
      storedTypes: { F32: 213568 },
    });
    const text = await runPva(["model", "info", "builtin:random-tiny"], dir);
    expect(text.stdout).toMatch(/^numLayers +4$/m);
    expect(text.stdout).toMatch(/^parameters +213568 \(213\.6K\)$/m);
    expect(text.stdout).toMatch(/^weightTypes +F32 213\.6K$/m);
    expect(text.stdout).toMatch(/^memoryNeeded +\d+ \([\d.]+ [kMG]B; [\d.]+ [kMGT]B free now\)$/m);
    expect(text.stdout).toContain("(random weights: its outputs mean nothing)");
  });

  it("model info prints the shape of a random checkpoint of each newer architecture", async () => {
    // `pva run experiments/smoke --model <folder>` on each of these was run by hand (lm README);
    // a whole run per architecture is too slow for CI, so this checks that each one loads
    // (`model pull`; `model info` reads headers only).
    const shapes = {
      gemma2: { numLayers: 2, headDim: 32 },
      gemma3: { numLayers: 6, headDim: 32 },
      qwen3: { numLayers: 2, headDim: 32 },
      mistral: { numLayers: 2, slidingWindow: 8 },
      phi3: { numLayers: 2, slidingWindow: 8 },
    } as const;
    for (const [architecture, shape] of Object.entries(shapes))
      await writeRandomCheckpoint(join(dir, architecture), {
        architecture: architecture as keyof typeof shapes,
        hiddenSize: 64,
        numHeads: 4,
        numKvHeads: 2,
        intermediateSize: 96,
        vocabSize: 300,
        maxPositions: 128,
        seed: architecture,
        ...shape,
      });
    const results = await Promise.all(
      Object.keys(shapes).map((architecture) => runPva(["model", "info", architecture, "--json"], dir)),
    );
    Object.entries(shapes).forEach(([architecture, shape], i) => {
      expect(results[i].code, results[i].stderr).toBe(0);
      expect(JSON.parse(results[i].stdout)).toMatchObject({
        architecture,
        numLayers: shape.numLayers,
        hiddenSize: 64,
        numHeads: 4,
        numKvHeads: 2,
        intermediateSize: 96,
        vocabSize: 300,
      });
    });
  });

  it("stories generate records every attempt, checks each story, and resumes without asking again", async () => {
    const args = ["stories", "generate", "--model", "builtin:random-tiny", "--emotions", "blissful,hostile"];
    const opts = ["--per-emotion", "1", "--out", "stories.jsonl", "--max-new-tokens", "24"];
    const first = await runPva([...args, ...opts], dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^stories\.jsonl: \d+ stories$/m);
    const attempts = (await readFile(join(dir, "stories.jsonl.attempts.jsonl"), "utf8")).trim().split("\n");
    // 24 tokens of random text are far below the 60-word minimum: every attempt is rejected, 3 per story.
    expect(attempts).toHaveLength(6);
    for (const line of attempts) expect(JSON.parse(line)).toMatchObject({ accepted: false });
    const again = await runPva([...args, ...opts], dir);
    expect(again.code).toBe(0);
    expect(
      (await readFile(join(dir, "stories.jsonl.attempts.jsonl"), "utf8")).trim().split("\n"),
    ).toHaveLength(6);
    const unknown = await runPva([...args.slice(0, 4), "--emotions", "blissful,sparkly"], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(
      'pva: --emotions: "sparkly" is not in the 171-word catalog (e.g. "blissful", "at ease")',
    );
  });
});
