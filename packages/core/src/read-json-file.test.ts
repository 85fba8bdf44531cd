import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { InputError } from "./errors.js";
import { readJsonFile } from "./read-json-file.js";

const Schema = z.object({ name: z.string(), seed: z.number().int() });
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-json-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function errorOf(text: string): Promise<InputError> {
  const file = join(dir, "study.json");
  await writeFile(file, text);
  const error = await readJsonFile(file, Schema).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe("readJsonFile", () => {
  it("reads and validates, tolerating a byte-order mark", async () => {
    const file = join(dir, "ok.json");
    await writeFile(file, '\uFEFF{ "name": "x", "seed": 3 }');
    expect(await readJsonFile(file, Schema)).toEqual({ name: "x", seed: 3 });
  });

  it.each([
    ['{\n  "name": "x",\n  "seed": }\n', "line 3:11", "invalid JSON: value expected"],
    ['{\n  "name": "x",\n  "seed": 3,\n}\n', "line 4:1", "invalid JSON: property name expected"],
    ['{ "name": "x" "seed": 3 }', "line 1:15", "invalid JSON: comma expected"],
    ['{ "name": "x", // a comment\n "seed": 3 }', "line 1:16", "invalid JSON: invalid comment token"],
    ["", "line 1:1", "invalid JSON: value expected"],
  ])("syntax error in %j is located at %s", async (text, path, expectation) => {
    const error = await errorOf(text);
    expect(error.path).toBe(path);
    expect(error.expectation).toBe(expectation);
    expect(error.message).toBe(`${join(dir, "study.json")}: ${path}: ${expectation}`);
  });

  it("reports schema problems as file: path: expectation", async () => {
    const error = await errorOf('{ "name": "x", "seed": "a" }');
    expect(error.message).toBe(`${join(dir, "study.json")}: seed: expected a number, got "a"`);
  });

  it("names a missing file", async () => {
    const file = join(dir, "missing.json");
    await expect(readJsonFile(file, Schema)).rejects.toThrow(`${file}: cannot read: no such file`);
  });
});
