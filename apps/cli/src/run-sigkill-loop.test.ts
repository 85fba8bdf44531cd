import { type FSWatcher, watch } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { isTemporaryFile, jsonlLines, RUN_FILES } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { folderDigest, onlyRunFolder, runPva, SMOKE_STUDY, startPva } from "./pva-child.test-support.js";

/**
 * SIGKILL at a marker inside every stage of `pva run`, a restart after each kill, and a final
 * uninterrupted resume that must leave the folder as one uninterrupted run leaves it.
 *
 * A kill point waits for something the child itself shows (a line on its stderr, choice records
 * it appended, chart files it wrote), never for a time. Where the kill lands after that is up to
 * the scheduler, so which stage each kill hit is read afterwards from the stage log and counted;
 * only the end state is asserted.
 */

/** The stage log's record names, in pipeline order, and the stage each belongs to. */
const RECORDS: readonly (readonly [record: string, stage: string])[] = [
  ["preferences", "elicit"],
  ["vectors", "vectors"],
  ["probe", "probe"],
  ["analyze", "analyze"],
  ["robustness", "robustness"],
  ["steer", "steer"],
  ["report", "report"],
];

/**
 * The child's own stderr says this stage is over: its summary line ("probe: 16/16 activities in
 * 0.0 s", printed before the stage writes its files and its record) or "probe: up to date".
 */
const STAGE_OVER = {
  elicit: /^(fit: \d+\/\d+ \S+ in |elicit: up to date)/m,
  vectors: /^(neutral: \d+\/\d+ \S+ in |vectors: up to date)/m,
  probe: /^probe: (\d+\/\d+ \S+ in |up to date)/m,
  analyze: /^analyze: (\d+\/\d+ \S+ in |up to date)/m,
  robustness: /^robustness: (\d+\/\d+ \S+ in |up to date)/m,
  steer: /^steer: (\d+\/\d+ \S+ in |up to date)/m,
  report: /^report: (\d+\/\d+ \S+ in |up to date)/m,
} as const;
type StageName = keyof typeof STAGE_OVER;

const BASELINE_CHOICES = 240;
const CHARTS = 26; // 13 charts, SVG and PNG

/** What a round saw of the run folder when its child started. */
interface AtStart {
  choices: number;
  recorded: Set<string>;
}

interface KillPoint {
  /** The stage this point is inside (what it aims at; the stage log says what it hit). */
  aim: StageName | "manifest";
  where: string;
  /** Kill when the child's stderr matches one of these... */
  stderr: RegExp[];
  /** ...or when this holds of the run folder (polled; `memo` lives for one round). */
  folder?: (folder: string, start: AtStart, memo: { dipped?: boolean }) => Promise<boolean>;
}

async function countLines(file: string): Promise<number> {
  const text = await readFile(file, "utf8").catch(() => "");
  return jsonlLines(text).lines.length;
}

/** The stage log's records (complete lines only). */
async function recordedStages(folder: string): Promise<Set<string>> {
  const text = await readFile(join(folder, RUN_FILES.stageLog), "utf8").catch(() => "");
  return new Set(
    jsonlLines(text).lines.map(({ text: line }) => (JSON.parse(line) as { stage: string }).stage),
  );
}

/** The child appended this stage record (it was not there when the child started). */
async function newlyRecorded(folder: string, start: AtStart, record: string): Promise<boolean> {
  return !start.recorded.has(record) && (await recordedStages(folder)).has(record);
}

const upToDate = (stage: StageName): RegExp => new RegExp(`^${stage}: up to date`, "m");

/**
 * Each point also kills once the stage it aims at is over (`STAGE_OVER`, or its record written
 * for the points that wait past the summary line), so every round stops in or right after its
 * stage, however the point itself fares.
 */
const inside = (aim: StageName, where: string, stderr: RegExp): KillPoint => ({
  aim,
  where,
  stderr: [stderr, STAGE_OVER[aim]],
});

/** A few records of the child's own past `count`, so the kill never lands before it did any work. */
const afterChoices = (aim: StageName, where: string, count: number): KillPoint => ({
  aim,
  where,
  stderr: [STAGE_OVER[aim]],
  folder: async (folder, start) =>
    (await countLines(join(folder, RUN_FILES.choices))) >= Math.max(count, start.choices + 5),
});

/** The previous stage's record just appended by this child, or that stage found up to date. */
const atStartOf = (aim: StageName, previous: StageName, record: string): KillPoint => ({
  aim,
  where: `at its start (${record} recorded)`,
  stderr: [upToDate(previous), STAGE_OVER[aim]],
  folder: (folder, start) => newlyRecorded(folder, start, record),
});

/** writeFileAtomic's temporary file for `file` is there: the kill lands mid-write or just after. */
const midWrite = (aim: StageName, file: string, record: string): KillPoint => ({
  aim,
  where: `writing ${file} (its temporary file seen)`,
  stderr: [upToDate(aim)],
  folder: async (folder, start) => {
    const [dir, name] = file.includes("/") ? [join(folder, dirname(file)), basename(file)] : [folder, file];
    const names = await readdir(dir).catch(() => [] as string[]);
    return (
      names.some((entry) => isTemporaryFile(entry) && entry.startsWith(`.${name}.`)) ||
      (await newlyRecorded(folder, start, record))
    );
  },
});

/** Where the kills aim, in pipeline order: each stage's start, its work, and the writing of its files. */
const KILL_POINTS: readonly KillPoint[] = [
  afterChoices("elicit", "40 choices recorded", 40),
  afterChoices("elicit", "150 choices recorded", 150),
  inside("elicit", "fit (elicitation summary printed)", /^elicit: \d+\/\d+ \S+ in /m),
  midWrite("elicit", RUN_FILES.preferences, "preferences"),
  atStartOf("vectors", "elicit", "preferences"),
  inside("vectors", "neutral pass (stories summary printed)", /^vectors: \d+\/\d+ \S+ in /m),
  midWrite("vectors", RUN_FILES.vectors, "vectors"),
  atStartOf("probe", "vectors", "vectors"),
  midWrite("probe", RUN_FILES.probes, "probe"),
  atStartOf("analyze", "probe", "probe"),
  midWrite("analyze", RUN_FILES.correlations, "analyze"),
  atStartOf("robustness", "analyze", "analyze"),
  midWrite("robustness", RUN_FILES.robustness, "robustness"),
  atStartOf("steer", "robustness", "robustness"),
  // One kill inside each of the three steered tournaments (blissful, hostile, calm).
  afterChoices("steer", "steered tournament 1", BASELINE_CHOICES + 100),
  afterChoices("steer", "steered tournament 2", BASELINE_CHOICES * 2 + 100),
  afterChoices("steer", "steered tournament 3", BASELINE_CHOICES * 3 + 100),
  midWrite("steer", RUN_FILES.steering, "steer"),
  // The report stage first writes a manifest of the results, then renders.
  atStartOf("report", "steer", "steer"),
  {
    aim: "report",
    where: "charts being written",
    stderr: [STAGE_OVER.report],
    // The render first empties report/charts: once it is seen short, wait for it to fill halfway.
    folder: async (folder, _start, memo) => {
      const charts = (await readdir(join(folder, RUN_FILES.report, "charts")).catch(() => [])).length;
      if (charts < CHARTS && (await recordedStages(folder)).has("steer")) memo.dipped = true;
      return memo.dipped === true && charts >= CHARTS / 2;
    },
  },
  midWrite("report", `${RUN_FILES.report}/index.html`, "report"),
  inside("report", "hashing the report for its record (summary printed)", STAGE_OVER.report),
  {
    aim: "manifest",
    where: "at its start (report recorded)",
    stderr: [upToDate("report")],
    folder: (folder, start) => newlyRecorded(folder, start, "report"),
  },
  {
    aim: "manifest",
    where: `writing ${RUN_FILES.manifest} (its temporary file seen, report recorded)`,
    stderr: [],
    folder: async (folder) =>
      (await recordedStages(folder)).has("report") &&
      (await readdir(folder)).some(
        (entry) => isTemporaryFile(entry) && entry.startsWith(`.${RUN_FILES.manifest}.`),
      ),
  },
];

/** Every file below `folder`, relative, sorted. */
async function filesBelow(folder: string): Promise<string[]> {
  return Object.keys(await folderDigest(folder));
}

/** Bookkeeping a killed writer leaves behind: writeFileAtomic's temporary files, pid locks, set-aside stale locks. */
function isLeftover(file: string): boolean {
  const name = basename(file);
  return isTemporaryFile(name) || name.endsWith(".lock") || /\.lock\.stale-/.test(name);
}

interface Round {
  aim: string;
  where: string;
  /** The stage the kill landed in (the first without a record), "manifest" after the last, or "none" when the run finished first. */
  hit: string;
  choices: number;
  leftovers: string[];
}

/**
 * One `pva run` into `folder`, SIGKILLed once `point` is reached, or at the latest once the stage
 * it aims at is over (so each round stops where it should, however the kill point fares).
 */
async function killRound(dir: string, folder: string, point: KillPoint): Promise<Round> {
  const start: AtStart = {
    choices: await countLines(join(folder, RUN_FILES.choices)),
    recorded: await recordedStages(folder),
  };
  const memo = {};
  const { child, done } = startPva(["run", SMOKE_STUDY, "--out", "k"], dir);
  let killed = false;
  const kill = (): void => {
    if (killed) return;
    killed = true;
    child.kill("SIGKILL");
  };
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (point.stderr.some((marker) => marker.test(stderr))) kill();
  });
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  // The folder is polled, and looked at again at once when a file in it changes.
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  while (!killed && !exited) {
    watcher ??= await stat(folder).then(
      () => watch(folder, () => wake?.()).on("error", () => undefined),
      () => undefined,
    );
    if (point.folder && (await point.folder(folder, start, memo))) kill();
    else
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 10);
      });
  }
  watcher?.close();
  const result = await done;
  expect(result.stderr, `${point.aim} (${point.where})`).not.toMatch(/^pva: /m);
  if (result.signal !== "SIGKILL") expect(result.code, `${point.aim} (${point.where})`).toBe(0);
  const recorded = await recordedStages(folder);
  const hit =
    result.signal !== "SIGKILL"
      ? "none"
      : (RECORDS.find(([record]) => !recorded.has(record))?.[1] ?? "manifest");
  const leftovers = (await filesBelow(folder).catch(() => [])).filter(isLeftover);
  return {
    aim: point.aim,
    where: point.where,
    hit,
    choices: await countLines(join(folder, RUN_FILES.choices)),
    leftovers,
  };
}

/** choices.jsonl's records by key, without their timings (elapsedMs is wall time). */
function choicesByKey(text: string): Map<string, unknown> {
  const records = new Map<string, unknown>();
  for (const line of text.trimEnd().split("\n")) {
    const { elapsedMs: _elapsed, ...record } = JSON.parse(line) as { key: string; elapsedMs: number };
    records.set(record.key, record);
  }
  return records;
}

/** manifest.json without what differs between two runs of one study: the time of the first run and choices.jsonl's hash (timings). */
function manifestWithoutTimes(text: string): unknown {
  const {
    createdAt: _createdAt,
    artifacts,
    ...manifest
  } = JSON.parse(text) as {
    createdAt: string;
    artifacts: Record<string, string>;
  };
  const { [RUN_FILES.choices]: _choices, ...rest } = artifacts;
  return { ...manifest, artifacts: rest };
}

/** The first JSON path at which `actual` and `expected` differ, with both values. */
function firstDifference(actual: unknown, expected: unknown, path = "$"): string | null {
  if (Object.is(actual, expected)) return null;
  if (typeof actual === "object" && typeof expected === "object" && actual !== null && expected !== null) {
    const keys = [...new Set([...Object.keys(actual), ...Object.keys(expected)])];
    for (const key of keys) {
      const found = firstDifference(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
      if (found !== null) return found;
    }
    return null;
  }
  return `${path} is ${JSON.stringify(actual)}, uninterrupted ${JSON.stringify(expected)}`;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-cli-kill-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("pva run killed with SIGKILL inside every stage", () => {
  it("ends, after a final resume, with the files of an uninterrupted run and no temporary or lock file", async () => {
    const uninterrupted = await runPva(["run", SMOKE_STUDY, "--out", "u"], dir);
    expect(uninterrupted.code).toBe(0);
    const reference = await onlyRunFolder(join(dir, "u"));
    const folder = join(dir, "k", basename(reference));

    const rounds: Round[] = [];
    for (const point of KILL_POINTS) rounds.push(await killRound(dir, folder, point));

    const final = await runPva(["run", SMOKE_STUDY, "--out", "k"], dir);
    expect(final.stderr).not.toMatch(/^pva: /m);
    expect(final.code).toBe(0);
    expect(final.stdout.trim()).toBe(folder);

    const kills = rounds.filter((round) => round.hit !== "none");
    const perStage = new Map<string, number>();
    for (const round of kills) perStage.set(round.hit, (perStage.get(round.hit) ?? 0) + 1);
    console.log(
      [
        `SIGKILL loop: ${kills.length} kills in ${rounds.length} runs; kills per stage hit: ${[...perStage].map(([stage, n]) => `${stage} ${n}`).join(", ")}`,
        ...rounds.map(
          (r, i) =>
            `  run ${i + 1}: aimed at ${r.aim} (${r.where}), hit ${r.hit}; ${r.choices} choices on disk` +
            (r.leftovers.length > 0 ? `; left for the restart to clear: ${r.leftovers.join(", ")}` : ""),
        ),
      ].join("\n"),
    );
    expect(kills.length).toBeGreaterThan(0);

    // Every answer once, on a whole line, the same answer as the uninterrupted run gave. Checked
    // first: every other file is computed from these answers.
    const choices = await readFile(join(folder, RUN_FILES.choices), "utf8");
    expect(choices.endsWith("\n")).toBe(true);
    const lines = choices.trimEnd().split("\n");
    expect(lines).toHaveLength(BASELINE_CHOICES * 4); // baseline + blissful, hostile, calm on one split
    const byKey = choicesByKey(choices);
    expect(byKey.size).toBe(lines.length);
    const uninterruptedByKey = choicesByKey(await readFile(join(reference, RUN_FILES.choices), "utf8"));
    const changedAnswers = [...byKey].flatMap(([key, record]) => {
      const found = firstDifference(record, uninterruptedByKey.get(key));
      return found === null ? [] : [`${key.slice(0, 12)}: ${found}`];
    });
    expect(changedAnswers).toEqual([]);

    // The same files, nothing more: no temporary file, no lock, no set-aside stale lock.
    const files = await filesBelow(folder);
    expect(files.filter(isLeftover)).toEqual([]);
    expect(files).toEqual(await filesBelow(reference));
    // Every file byte for byte, but for the two that carry wall-clock times.
    const expected = await folderDigest(reference);
    const actual = await folderDigest(folder);
    // All the files that differ at once, each JSON one with where it first differs, so a failure
    // says which stage's output moved first (every later stage reads the earlier ones).
    const differing = await Promise.all(
      files
        .filter(
          (file) =>
            file !== RUN_FILES.choices && file !== RUN_FILES.manifest && actual[file] !== expected[file],
        )
        .map(async (file) =>
          file.endsWith(".json")
            ? `${file}: ${firstDifference(
                JSON.parse(await readFile(join(folder, file), "utf8")),
                JSON.parse(await readFile(join(reference, file), "utf8")),
              )}`
            : file,
        ),
    );
    expect(differing).toEqual([]);
    expect(manifestWithoutTimes(await readFile(join(folder, RUN_FILES.manifest), "utf8"))).toEqual(
      manifestWithoutTimes(await readFile(join(reference, RUN_FILES.manifest), "utf8")),
    );
  });
});
