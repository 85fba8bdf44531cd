import { readFile } from "node:fs/promises";
import { type ParseError, parse as parseLenient, printParseErrorCode } from "jsonc-parser";
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

export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder" : (code ?? "unreadable");
    throw new InputError(file, "", `cannot read: ${reason}`);
  }
}

/** Parses JSON text (a leading BOM allowed); syntax errors become InputErrors with line:column. */
export function parseJsonText(file: string, text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    throw syntaxError(file, body, error as Error);
  }
}

/** Reads, parses and validates a JSON file; every failure is one InputError line naming the file. */
export async function readJsonFile<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  const data = parseJsonText(file, await readTextFile(file));
  return parseWithSchema(schema, data, file);
}
