import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "./errors.js";
import { parseWithSchema } from "./parse-with-schema.js";
import { type ChoiceRecord, ChoiceRecordSchema } from "./schemas/choice-record.js";
import { isTemporaryFile } from "./write-file-atomic.js";

/**
 * The file names of a run folder (`runs/<study>-<hash12>/`), the one place they are spelled. The
 * cli writes through them and the report reads through them.
 */
export const RUN_FILES = {
  /** The stage log: one line per finished stage with its inputs' hash and its files' sha256. */
  stageLog: "stages.jsonl",
  manifest: "manifest.json",
  choices: "choices.jsonl",
  preferences: "preferences.json",
  vectors: "vectors.safetensors",
  vectorsMeta: "vectors.json",
  probes: "probes.json",
  correlations: "correlations.json",
  steering: "steering.json",
  /** A folder: index.html, summary.md, charts/. */
  report: "report",
} as const;

export type RunFileName = keyof typeof RUN_FILES;

/** A run folder's files by name: `runLayout(dir).choices` is `<dir>/choices.jsonl`. */
export function runLayout(dir: string): { dir: string } & Record<RunFileName, string> {
  const paths = Object.fromEntries(
    Object.entries(RUN_FILES).map(([name, file]) => [name, join(dir, file)]),
  ) as Record<RunFileName, string>;
  return { dir, ...paths };
}

/**
 * The files a manifest lists (with the report folder's files): everything the layout names but
 * the stage log and the manifest itself. Whatever else lies in the folder is not the run's.
 */
export const RUN_ARTIFACTS: readonly RunFileName[] = (Object.keys(RUN_FILES) as RunFileName[]).filter(
  (name) => name !== "stageLog" && name !== "manifest",
);

/** The results a report is drawn from; a folder holding none of them was never run. */
export const RUN_RESULTS: readonly RunFileName[] = [
  "preferences",
  "vectorsMeta",
  "probes",
  "correlations",
  "steering",
];

/**
 * Whether a file of the run folder has the same bytes on every run of the same study: everything
 * but the raw choice records (they carry timings), the report itself, and the bookkeeping (stage
 * log, manifest, locks, writeFileAtomic's temporary files). The manifest a report shows lists only these, so
 * `pva run` and a later `pva report` of the folder give byte-identical reports.
 */
export function isReproducibleArtifact(file: string): boolean {
  const name = file.split("/").at(-1) ?? file;
  return (
    file !== RUN_FILES.choices &&
    file !== RUN_FILES.manifest &&
    file !== RUN_FILES.stageLog &&
    file !== RUN_FILES.report &&
    !file.startsWith(`${RUN_FILES.report}/`) &&
    !name.endsWith(".lock") &&
    !isTemporaryFile(name)
  );
}

/** One complete line of a JSONL file, numbered from 1 as an editor shows it. */
export interface JsonlLine {
  lineNumber: number;
  text: string;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The one torn-line rule for the JSONL files pva writes (choices.jsonl, stages.jsonl) and reads:
 * every newline-terminated line counts; after the last newline, a final line that parses as JSON
 * counts too (a file written by another tool without a final newline, or a record whose newline
 * a crash cut off), and one that does not is a torn write: it is returned as `tornTail`, never
 * parsed by the reader. A record's JSON object has no prefix that is JSON, so a record cut short
 * is always torn. Blank lines are skipped. A bad complete line is the reader's error to report.
 * `missingNewline` says the last counted line has no newline yet (a writer adds one first).
 */
export function jsonlLines(text: string): { lines: JsonlLine[]; tornTail: string; missingNewline: boolean } {
  const end = text.lastIndexOf("\n") + 1;
  const lines: JsonlLine[] = [];
  const complete = text.slice(0, end).split("\n");
  complete.pop(); // the empty string after the final newline
  complete.forEach((line, index) => {
    if (line.trim() !== "") lines.push({ lineNumber: index + 1, text: line });
  });
  const tail = text.slice(end);
  if (tail.trim() !== "" && isJson(tail)) {
    lines.push({ lineNumber: complete.length + 1, text: tail });
    return { lines, tornTail: "", missingNewline: true };
  }
  return { lines, tornTail: tail, missingNewline: false };
}

/**
 * Reads a choices file (a run's `choices.jsonl`): every line a ChoiceRecord, in file order. A
 * torn final line is left out (see jsonlLines) and counted in `tornLines`; any other line that is
 * not JSON or not a ChoiceRecord is an InputError naming its line and field.
 */
export async function readChoices(file: string): Promise<{ records: ChoiceRecord[]; tornLines: number }> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new InputError(
      file,
      "",
      error.code === "ENOENT" ? "no such file" : `cannot read: ${error.message}`,
    );
  });
  const { lines, tornTail } = jsonlLines(text);
  const records = lines.map(({ lineNumber, text: line }) => {
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      throw new InputError(file, `line ${lineNumber}`, "invalid JSON");
    }
    return parseWithSchema(ChoiceRecordSchema, data, file, (r) => `line ${lineNumber}, ${r.path}`);
  });
  return { records, tornLines: tornTail.trim() === "" ? 0 : 1 };
}

/** Which of the result files (RUN_RESULTS) are in a run folder. */
export async function presentRunResults(dir: string): Promise<RunFileName[]> {
  const files = runLayout(dir);
  const present = await Promise.all(
    RUN_RESULTS.map((name) =>
      access(files[name]).then(
        () => true,
        () => false,
      ),
    ),
  );
  return RUN_RESULTS.filter((_, i) => present[i]);
}

/** The error for a run folder with no results at all: there is nothing to draw a report from. */
export function noRunResultsError(dir: string): InputError {
  const names = RUN_RESULTS.map((name) => RUN_FILES[name]).join(", ");
  return new InputError(
    dir,
    "",
    `nothing to report: none of ${names} is here (run \`pva run <study>\` first, or the stage that writes one)`,
  );
}
