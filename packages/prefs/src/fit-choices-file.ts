import { readFile } from "node:fs/promises";
import {
  type Activity,
  type ChoiceRecord,
  ChoiceRecordSchema,
  contentHash,
  defaultActivities,
  InputError,
  jsonlLines,
  type PreferenceScores,
  pairIdOf,
  parseWithSchema,
} from "@pva/core";
import { type FitPreferencesOptions, fitPreferences } from "./fit-preferences.js";

export interface FitChoicesFileOptions extends Partial<Omit<FitPreferencesOptions, "model" | "condition">> {
  /** The activities (texts, categories); default: the ids found in the file, described from the default catalog. */
  activities?: readonly Activity[];
  /** Fit only the records of this condition (a choices file of a steering run holds several). */
  condition?: string;
  /** Told the line number of an unterminated final line, which is left out as a torn write. */
  onTornLine?: (lineNumber: number) => void;
}

/**
 * Fits a choices file on its own (`pva prefs fit <choices.jsonl> --json`). Each line is either a
 * ChoiceRecord (as elicit writes them) or a plain row `{"a": id, "b": id, "pA": number}` from
 * another harness, where pA is P(a chosen over b) with a shown first. A bad line is reported as
 * `file: line N.field: expectation`; an unterminated final line is a torn write and left out, as
 * every reader of pva's JSONL files does (jsonlLines).
 */
export async function fitChoicesFile(
  file: string,
  opts: FitChoicesFileOptions = {},
): Promise<PreferenceScores> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new InputError(file, "(file)", error.code === "ENOENT" ? "file not found" : error.message);
  });
  const records: ChoiceRecord[] = [];
  // The torn-line rule of every pva JSONL reader: only newline-terminated lines count.
  const { lines, tornTail } = jsonlLines(text);
  if (tornTail.trim() !== "")
    opts.onTornLine?.(text.slice(0, text.length - tornTail.length).split("\n").length);
  lines.forEach(({ lineNumber, text: line }) => {
    const index = lineNumber - 1;
    const where = `line ${lineNumber}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new InputError(file, where, "expected a JSON object (a ChoiceRecord or {a, b, pA})");
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      throw new InputError(file, where, "expected a JSON object (a ChoiceRecord or {a, b, pA})");
    }
    if ("key" in row && "choice" in row) {
      records.push(parseWithSchema(ChoiceRecordSchema, row, `${file}: ${where}`));
      return;
    }
    records.push(plainRow(row as Record<string, unknown>, file, where, index));
  });
  const selected =
    opts.condition === undefined ? records : records.filter((r) => r.condition === opts.condition);
  // Nothing to fit is the user's mistake (an empty file, a misspelt condition), not an empty table.
  if (records.length === 0) throw new InputError(file, "", "no choice records to fit (the file is empty)");
  if (selected.length === 0) {
    const present = [...new Set(records.map((r) => r.condition))].sort().join(", ");
    throw new InputError(
      file,
      "condition",
      `no records of condition "${opts.condition}"; the file has ${present}`,
    );
  }
  const activities = opts.activities ?? activitiesIn(selected);
  return fitPreferences(selected, activities, {
    bootstrap: opts.bootstrap ?? 1000,
    seed: opts.seed ?? 0,
    refusalPolicy: opts.refusalPolicy ?? "skip",
    ...(opts.level !== undefined ? { level: opts.level } : {}),
    ...(opts.prior !== undefined ? { prior: opts.prior } : {}),
    ...(opts.sequentialOrders !== undefined ? { sequentialOrders: opts.sequentialOrders } : {}),
  });
}

function plainRow(row: Record<string, unknown>, file: string, where: string, index: number): ChoiceRecord {
  const { a, b, pA } = row;
  if (typeof a !== "string" || a === "") throw new InputError(file, `${where}.a`, "expected an activity id");
  if (typeof b !== "string" || b === "" || b === a) {
    throw new InputError(file, `${where}.b`, "expected an activity id other than a");
  }
  if (typeof pA !== "number" || !(pA >= 0 && pA <= 1)) {
    throw new InputError(file, `${where}.pA`, "expected a number in [0, 1]");
  }
  return {
    key: contentHash({ line: index, a, b, pA }),
    condition: "baseline",
    model: "choices-file",
    a,
    b,
    pairId: pairIdOf(a, b),
    order: a < b ? "ab" : "ba",
    promptHash: "unknown",
    readout: "logits",
    sampleIndex: 0,
    pA,
    pB: 1 - pA,
    offLabelMass: null,
    rawAnswer: null,
    choice: pA >= 0.5 ? "A" : "B",
    elapsedMs: 0,
    attempts: 0,
  };
}

/**
 * The activities named in the records, in order of first appearance. Ids from the default catalog
 * get its text and category; others use the id as text and "Neutral" as category (pass
 * `activities` to give the real ones).
 */
function activitiesIn(records: readonly ChoiceRecord[]): Activity[] {
  const known = new Map(defaultActivities.map((a) => [a.id, a]));
  const seen = new Map<string, Activity>();
  for (const record of records) {
    for (const id of [record.a, record.b]) {
      if (!seen.has(id)) seen.set(id, known.get(id) ?? { id, text: id, category: "Neutral" });
    }
  }
  return [...seen.values()];
}
