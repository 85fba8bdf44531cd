import { readFile } from "node:fs/promises";
import { type ChoiceRecord, ChoiceRecordSchema, InputError, parseWithSchema } from "@pva/core";

/**
 * Reads a `choices.jsonl` without taking its lock (reading cannot disturb a writer): every complete
 * line must be a ChoiceRecord (`file:line: path: expectation` otherwise); a torn final line left by
 * a crash is ignored, as the run store itself does.
 */
export async function readChoicesFile(file: string): Promise<ChoiceRecord[]> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new InputError(file, "", error.code === "ENOENT" ? "no such file" : `cannot read (${error.code})`);
  });
  const lines = text.split("\n");
  lines.pop(); // "" after the last newline, or a torn final line
  return lines.flatMap((line, i) => {
    if (line.trim() === "") return [];
    const source = `${file}:${i + 1}`;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      throw new InputError(source, "", "not a JSON record");
    }
    return [parseWithSchema(ChoiceRecordSchema, data, source)];
  });
}
