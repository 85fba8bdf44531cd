import { readFile } from "node:fs/promises";
import { type ChoiceRecord, ChoiceRecordSchema, InputError, parseWithSchema } from "@pva/core";

/**
 * Reads `choices.jsonl`. A torn final line (a run killed mid-append) is skipped, as RunStore does
 * when it reopens the file; a bad line anywhere else is an error naming its line number.
 */
export async function readChoices(file: string): Promise<ChoiceRecord[]> {
  const lines = (await readFile(file, "utf8")).split("\n");
  const lastLine = lines.findLastIndex((line) => line.trim() !== "");
  const records: ChoiceRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    const lineNumber = index + 1;
    const isLast = index === lastLine;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      if (isLast) return;
      throw new InputError(file, `line ${lineNumber}`, "invalid JSON");
    }
    records.push(parseWithSchema(ChoiceRecordSchema, data, file, (r) => `line ${lineNumber}, ${r.path}`));
  });
  return records;
}
