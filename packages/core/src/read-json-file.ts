import { readFile } from "node:fs/promises";
import { type ParseError, parse as parseLenient, printParseErrorCode, visit } from "jsonc-parser";
import type * as z from "zod";
import { InputError } from "./errors.js";
import { parseWithSchema } from "./parse-with-schema.js";

/** `line:column` (1-based) of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `${line}:${column}`;
}

/**
 * Node 20's JSON.parse names no position, so a strict jsonc-parser pass (comments and trailing
 * commas refused) locates the first syntax error for the message.
 */
function syntaxError(file: string, text: string, fallback: Error): InputError {
  const errors: ParseError[] = [];
  parseLenient(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return new InputError(file, "", `invalid JSON (${fallback.message})`);
  const what = printParseErrorCode(first.error)
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
  return new InputError(file, `line ${lineColumn(text, first.offset)}`, `invalid JSON: ${what}`);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The 1-based line of the first byte sequence that is not UTF-8. */
function firstInvalidUtf8Line(bytes: Buffer): number {
  let start = 0;
  for (let line = 1; ; line++) {
    const end = bytes.indexOf(0x0a, start);
    const slice = bytes.subarray(start, end === -1 ? bytes.length : end);
    try {
      strictUtf8.decode(slice);
    } catch {
      return line;
    }
    if (end === -1) return line;
    start = end + 1;
  }
}

/**
 * A text file the user gave us, as UTF-8. Bytes that are not UTF-8 (a file saved as Latin-1,
 * `café` as 63 61 66 E9) are an InputError naming the line, instead of silently becoming U+FFFD
 * in prompts, results and the report.
 */
export async function readTextFile(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder" : (code ?? "unreadable");
    throw new InputError(file, "", `cannot read: ${reason}`);
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new InputError(
      file,
      `line ${firstInvalidUtf8Line(bytes)}`,
      "expected UTF-8 text; found bytes that are not UTF-8 (a file saved as Latin-1 or Windows-1252?): save it as UTF-8",
    );
  }
}

/**
 * JSON.parse keeps the last of two equal keys in an object, so `"seed": 1, ..., "seed": 2` would
 * silently run seed 2. Hand-written files are checked for that.
 */
function duplicateKeyError(file: string, text: string): InputError | undefined {
  const objects: Set<string>[] = [];
  let found: InputError | undefined;
  visit(text, {
    onObjectBegin: () => {
      objects.push(new Set());
    },
    onObjectEnd: () => {
      objects.pop();
    },
    onObjectProperty: (name, offset) => {
      const keys = objects.at(-1);
      if (found || !keys) return;
      if (keys.has(name))
        found = new InputError(
          file,
          `line ${lineColumn(text, offset)}`,
          `duplicate key ${JSON.stringify(name)} (JSON would keep only the last one); remove one`,
        );
      keys.add(name);
    },
  });
  return found;
}

/**
 * Parses JSON text (a leading BOM allowed); syntax errors and duplicate keys become InputErrors
 * with line:column.
 */
export function parseJsonText(file: string, text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw syntaxError(file, body, error as Error);
  }
  const duplicate = duplicateKeyError(file, body);
  if (duplicate) throw duplicate;
  return data;
}

/** Reads, parses and validates a JSON file; every failure is one InputError line naming the file. */
export async function readJsonFile<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  const data = parseJsonText(file, await readTextFile(file));
  return parseWithSchema(schema, data, file);
}
