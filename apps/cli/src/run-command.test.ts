import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunManifestSchema, sha256Hex } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { folderDigest, onlyRunFolder, runPva, SMOKE_STUDY, startPva } from "./pva-child.test-support.js";

// The artifacts that must be the same bytes on every run of a study (choices.jsonl carries
// timings, manifest.json a timestamp; stages.jsonl is bookkeeping).
const REPRODUCIBLE =
  /^(preferences|probes|correlations|robustness|steering|vectors)\.json$|^vectors\.safetensors$|^report\//;

function reproducible(digest: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(digest).filter(([file]) => REPRODUCIBLE.test(file)));
}

let dir: string;
let first: string;
let firstDigest: Record<string, string>;
let firstStderr: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-cli-run-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("pva run experiments/smoke", () => {
  it("runs the whole pipeline into runs/<study>-<hash12>/ and writes the report and the manifest", async () => {
    const result = await runPva(["run", SMOKE_STUDY, "--out", "a"], dir);
    expect(result.stderr).not.toMatch(/^pva: /m);
    expect(result.code).toBe(0);
    first = await onlyRunFolder(join(dir, "a"));
    firstStderr = result.stderr;
    expect(result.stdout.trim()).toBe(first);
    expect(first).toMatch(/[/\\]smoke-[0-9a-f]{12}$/);
    for (const stage of [
      "elicit",
      "fit",
      "vectors",
      "neutral",
      "probe",
      "analyze",
      "robustness",
      "steer",
      "report",
    ])
      expect(result.stderr).toMatch(new RegExp(`^${stage}: `, "m"));
    expect(result.stderr).toMatch(/^elicit: 240\/240 comparisons/m);

    firstDigest = await folderDigest(first);
    for (const file of [
      "report/index.html",
      "report/summary.md",
      "report/charts/elo.svg",
      "report/charts/elo.png",
    ])
      expect(firstDigest[file], file).toBeDefined();
    const manifest = RunManifestSchema.parse(
      JSON.parse(await readFile(join(first, "manifest.json"), "utf8")),
    );
    expect(first.endsWith(manifest.configHash.slice(0, 12))).toBe(true);
    expect(manifest.model).toMatchObject({
      id: "builtin:random-tiny",
      builtinRandom: true,
      architecture: "llama",
    });
    expect(manifest.config.output.dir).toBe("runs");
    // Every result file is in the manifest with the sha256 of its bytes, the report included.
    for (const [file, sha] of Object.entries(firstDigest))
      if (!/^(manifest\.json|stages\.jsonl.*)$/.test(file)) expect(manifest.artifacts[file], file).toBe(sha);
    const preferences = JSON.parse(await readFile(join(first, "preferences.json"), "utf8"));
    expect(preferences.activities).toHaveLength(16);
    expect(preferences.comparisons).toBe(240);
  });

  it("gives byte-identical analysis JSON, vectors and report on a second fresh run", async () => {
    const result = await runPva(["run", SMOKE_STUDY, "--out", "b"], dir);
    expect(result.code).toBe(0);
    const second = await onlyRunFolder(join(dir, "b"));
    const digest = await folderDigest(second);
    expect(Object.keys(reproducible(firstDigest)).length).toBeGreaterThan(20);
    expect(reproducible(digest)).toEqual(reproducible(firstDigest));
  });

  it("resumes: a re-run skips every stage, keeps the results and the manifest's createdAt", async () => {
    const before = JSON.parse(await readFile(join(first, "manifest.json"), "utf8"));
    const result = await runPva(["run", SMOKE_STUDY, "--out", "a"], dir);
    expect(result.code).toBe(0);
    for (const stage of ["elicit", "vectors", "probe", "analyze", "steer", "report"])
      expect(result.stderr).toContain(`${stage}: up to date`);
    expect(reproducible(await folderDigest(first))).toEqual(reproducible(firstDigest));
    const after = JSON.parse(await readFile(join(first, "manifest.json"), "utf8"));
    expect(after.createdAt).toBe(before.createdAt);
  });

  it("pva report on the run folder rewrites every report file with the bytes pva run wrote", async () => {
    const result = await runPva(["report", first], dir);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(join(first, "report", "index.html"));
    const report = (digest: Record<string, string>) =>
      Object.fromEntries(Object.entries(digest).filter(([file]) => file.startsWith("report/")));
    const rendered = report(await folderDigest(first));
    expect(Object.keys(rendered).length).toBeGreaterThan(20);
    expect(rendered).toEqual(report(firstDigest));
  });

  it("pva report on a run folder runs pva run's report stage: up to date, or re-rendered with its line and bytes", async () => {
    // The stage's closing line, its elapsed time blanked ("report: 24/24 charts in _ (…/index.html)").
    const reportLine = (stderr: string) =>
      stderr
        .split("\n")
        .filter((line) => line.startsWith("report: "))
        .at(-1)
        ?.replace(/ in [0-9.]+ s /, " in _ ");
    const charts = Object.keys(firstDigest).filter((file) => file.startsWith("report/charts/")).length;
    const upToDate = await runPva(["report", first], dir);
    expect(upToDate.code).toBe(0);
    expect(upToDate.stderr).toBe("report: up to date\n");

    await rm(join(first, "report", "charts", "elo.png"));
    const rerendered = await runPva(["report", first], dir);
    expect(rerendered.code).toBe(0);
    expect(rerendered.stdout.trim()).toBe(join(first, "report", "index.html"));
    expect(reportLine(rerendered.stderr)).toBe(
      `report: ${charts}/${charts} charts in _ (${join(first, "report", "index.html")})`,
    );
    expect(reportLine(rerendered.stderr)).toBe(reportLine(firstStderr));
    const report = (digest: Record<string, string>) =>
      Object.fromEntries(Object.entries(digest).filter(([file]) => file.startsWith("report/")));
    expect(report(await folderDigest(first))).toEqual(report(firstDigest));
    // The stage log has the new render, so the next report is up to date again; the manifest lists it.
    expect((await runPva(["report", first], dir)).stderr).toBe("report: up to date\n");
    const manifest = RunManifestSchema.parse(
      JSON.parse(await readFile(join(first, "manifest.json"), "utf8")),
    );
    expect(manifest.artifacts["report/charts/elo.png"]).toBe(firstDigest["report/charts/elo.png"]);
  });

  it("pva report on a run folder without a manifest (a run killed before it wrote one) renders it and adds none", async () => {
    const killed = join(dir, "killed", "smoke-000000000000");
    await cp(first, killed, { recursive: true });
    await rm(join(killed, "manifest.json"));
    await rm(join(killed, "report"), { recursive: true });
    const result = await runPva(["report", killed], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^report: \d+\/\d+ charts in /m);
    const files = await readdir(killed);
    expect(files).not.toContain("manifest.json");
    const html = await readFile(join(killed, "report", "index.html"), "utf8");
    expect(html).toContain("This run folder has no manifest.json.");
    // Its inputs are the artifacts alone, so the next report is up to date.
    expect((await runPva(["report", killed], dir)).stderr).toBe("report: up to date\n");
    await rm(join(dir, "killed"), { recursive: true });
  });

  it("pva report on a study that was never run, or an empty run folder, names what is missing", async () => {
    const study = await runPva(["report", SMOKE_STUDY, "--out", "never"], dir);
    expect(study.code).toBe(2);
    expect(study.stderr).toMatch(
      /^pva: \S*never[/\\]smoke-[0-9a-f]{12}: nothing to report: none of preferences\.json, vectors\.json, probes\.json, correlations\.json, steering\.json is here .*\n$/,
    );
    expect(await readdir(join(dir, "never"))).toEqual([]);
    const empty = join(dir, "empty-run");
    await mkdir(empty);
    await writeFile(join(empty, "stages.jsonl"), "");
    const folder = await runPva(["report", empty], dir);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/^pva: \S*empty-run: nothing to report: none of preferences\.json/);
    expect(await readdir(empty)).toEqual(["stages.jsonl"]);
  });

  it("re-does only what changed: a deleted artifact is rebuilt, the same bytes", async () => {
    await rm(join(first, "correlations.json"));
    const result = await runPva(["analyze", SMOKE_STUDY, "--out", "a"], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("elicit: up to date");
    expect(result.stderr).toMatch(/^analyze: 10\/10 emotions/m);
    const sha = sha256Hex(await readFile(join(first, "correlations.json")));
    expect(sha).toBe(firstDigest["correlations.json"]);
  });

  it("starts a new run folder when the config changes (--seed)", async () => {
    const result = await runPva(["elicit", SMOKE_STUDY, "--out", "a", "--seed", "7"], dir);
    expect(result.code).toBe(0);
    const folder = result.stdout.trim();
    expect(folder).not.toBe(first);
    expect(folder).toMatch(/smoke-[0-9a-f]{12}$/);
    const prefs = JSON.parse(await readFile(join(folder, "preferences.json"), "utf8"));
    expect(prefs.seed).toBe(7);
  });

  it("stops cleanly after the current record on Ctrl-C (SIGINT), and resumes from there", async () => {
    const { child, done } = startPva(["elicit", SMOKE_STUDY, "--out", "c"], dir);
    let exited = false;
    void done.then(() => {
      exited = true;
    });
    // However slow the start-up, wait for the first recorded answer (or for the child to end).
    let choices: string | undefined;
    while (choices === undefined && !exited) {
      const folder = await onlyRunFolder(join(dir, "c")).catch(() => undefined);
      const text = folder ? await readFile(join(folder, "choices.jsonl"), "utf8").catch(() => "") : "";
      if (text.length > 0) choices = join(folder!, "choices.jsonl");
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("pva: stopping after the current record");
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe(
      "pva: interrupted during elicit; what was recorded is kept, run the same command again to resume",
    );
    const kept = await readFile(choices!, "utf8");
    expect(kept.endsWith("\n")).toBe(true);
    const keptLines = kept.trim().split("\n");
    expect(keptLines.length).toBeGreaterThan(0);
    expect(keptLines.length).toBeLessThan(240);
    const resumed = await runPva(["elicit", SMOKE_STUDY, "--out", "c"], dir);
    expect(resumed.code).toBe(0);
    const all = (await readFile(choices!, "utf8")).trim().split("\n");
    expect(all).toHaveLength(240);
    expect(all.slice(0, keptLines.length)).toEqual(keptLines);
    const preferences = await readFile(join(choices!, "..", "preferences.json"));
    expect(sha256Hex(preferences)).toBe(firstDigest["preferences.json"]);
  });
});
