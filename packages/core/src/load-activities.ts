import { extname } from "node:path";
import { CsvError, parse as parseCsv } from "csv-parse/sync";
import * as z from "zod";
import { InputError } from "./errors.js";
import { parseWithSchema } from "./parse-with-schema.js";
import { parseJsonText, readTextFile } from "./read-json-file.js";
import { type Activity, ActivityCatalogSchema } from "./schemas/activity.js";

const CSV_COLUMNS = ["id", "text", "category"] as const;

const ActivityFileSchema = z.union([ActivityCatalogSchema, z.object({ activities: ActivityCatalogSchema })], {
  error: 'expected an array of activities or an object { "activities": [...] }',
});

function loadJsonActivities(file: string, text: string): Activity[] {
  const parsed = parseWithSchema(ActivityFileSchema, parseJsonText(file, text), file);
  return Array.isArray(parsed) ? parsed : parsed.activities;
}

interface CsvRow {
  record: string[];
  info: { lines: number };
}

function readCsvRows(file: string, text: string): CsvRow[] {
  try {
    // `info` attaches each record's line number so errors can point at it.
    return parseCsv(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as CsvRow[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === "number" ? `line ${error.lines}` : "";
      throw new InputError(file, line, `invalid CSV: ${error.message}`);
    }
    throw error;
  }
}

/** CSV with a header row naming (at least) id, text and category, in any order. */
function loadCsvActivities(file: string, text: string): Activity[] {
  const [header, ...rows] = readCsvRows(file, text);
  if (!header)
    throw new InputError(file, "", "expected a header row id,text,category and one row per activity");
  const columns = header.record.map((name) => name.toLowerCase());
  const missing = CSV_COLUMNS.filter((name) => !columns.includes(name));
  if (missing.length > 0)
    throw new InputError(
      file,
      `line ${header.info.lines}`,
      `expected a header with columns ${CSV_COLUMNS.join(", ")}; missing ${missing.join(", ")}`,
    );
  const data = rows.map((row) =>
    Object.fromEntries(CSV_COLUMNS.map((name) => [name, row.record[columns.indexOf(name)]])),
  );
  return parseWithSchema(ActivityCatalogSchema, data, file, ({ segments }) => {
    const [index, field] = segments;
    const line = typeof index === "number" ? rows[index]?.info.lines : undefined;
    return line === undefined ? "(rows)" : `line ${line}${field === undefined ? "" : `, ${String(field)}`}`;
  });
}

/**
 * A user's activity list: `.json` (an array, or `{ "activities": [...] }`) or `.csv` (header
 * id,text,category). Duplicate ids or texts, empty texts and unknown categories are InputErrors
 * naming the file and the row (JSON index or CSV line) and field.
 */
export async function loadActivities(file: string): Promise<Activity[]> {
  const extension = extname(file).toLowerCase();
  if (extension !== ".json" && extension !== ".csv")
    throw new InputError(file, "", "expected an activity file ending in .json or .csv");
  const text = await readTextFile(file);
  const activities = extension === ".csv" ? loadCsvActivities(file, text) : loadJsonActivities(file, text);
  // A preference is between two activities: with fewer there is nothing to ask, and every later
  // stage would fail on an empty fit. Refused here, as the inline list is by its schema.
  if (activities.length < 2)
    throw new InputError(
      file,
      "",
      `expected at least 2 activities (a preference needs a pair), found ${activities.length}`,
    );
  return activities;
}
