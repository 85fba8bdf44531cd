import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "./errors.js";
import { loadActivities } from "./load-activities.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-activities-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function messageOf(file: string): Promise<string> {
  const error = await loadActivities(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as Error).message;
}

const two = [
  { id: "a", text: "sort a list", category: "Neutral" },
  { id: "b", text: "write a poem", category: "Engaging" },
];

describe("loadActivities", () => {
  it("reads a JSON array and a JSON { activities } object", async () => {
    expect(await loadActivities(await fileWith("a.json", JSON.stringify(two)))).toEqual(two);
    expect(await loadActivities(await fileWith("b.json", JSON.stringify({ activities: two })))).toEqual(two);
  });

  it("reads CSV with a header in any column order, quoted commas, CRLF and a BOM", async () => {
    const csv =
      '\uFEFFcategory,id,text\r\nNeutral,a,"sort a list, then count it"\r\nEngaging,b,write a poem\r\n\r\n';
    expect(await loadActivities(await fileWith("a.csv", csv))).toEqual([
      { id: "a", text: "sort a list, then count it", category: "Neutral" },
      { id: "b", text: "write a poem", category: "Engaging" },
    ]);
  });

  it.each([
    [
      "unknown category",
      "id,text,category\na,sort a list,Neutral\nb,write a poem,Fun\n",
      'line 3, category: expected one of Helpful, Engaging, Social, Self-curiosity, Neutral, Aversive, Misaligned, Unsafe, got "Fun"',
    ],
    [
      "empty text",
      "id,text,category\na,sort a list,Neutral\nb,,Engaging\n",
      "line 3, text: expected non-empty text",
    ],
    [
      "duplicate id",
      "id,text,category\na,sort a list,Neutral\nb,write a poem,Engaging\na,read a book,Neutral\n",
      'line 4, id: expected a unique id, "a" is already used by [0]',
    ],
    [
      "duplicate text",
      "id,text,category\na,sort a list,Neutral\nb,Sort a list,Neutral\n",
      "line 3, text: expected a unique text, the same text is already used by [0]",
    ],
    [
      "missing column",
      "id,text\na,sort a list\n",
      "line 1: expected a header with columns id, text, category; missing category",
    ],
    [
      "unclosed quote",
      'id,text,category\na,"sort a list,Neutral\n',
      "line 2: invalid CSV: Quote Not Closed: the parsing is finished with an opening quote at line 2",
    ],
  ])("CSV %s names file, line and field", async (_name, csv, expected) => {
    const file = await fileWith("acts.csv", csv);
    expect(await messageOf(file)).toBe(`${file}: ${expected}`);
  });

  it.each([
    [
      "unknown category",
      [two[0], { id: "b", text: "x", category: "Fun" }],
      '[1].category: expected one of Helpful, Engaging, Social, Self-curiosity, Neutral, Aversive, Misaligned, Unsafe, got "Fun"',
    ],
    ["empty text", [two[0], { id: "b", text: "", category: "Social" }], "[1].text: expected non-empty text"],
    [
      "duplicate id",
      [two[0], { ...two[1], id: "a" }],
      '[1].id: expected a unique id, "a" is already used by [0]',
    ],
    [
      "duplicate text",
      [two[0], { ...two[0], id: "c" }],
      "[1].text: expected a unique text, the same text is already used by [0]",
    ],
    ["missing id", [{ text: "x", category: "Social" }], "[0].id: expected a string, got nothing"],
    [
      "id with a pair separator",
      [{ id: "a|b", text: "x", category: "Social" }],
      "[0].id: expected an id of letters, digits, '.', '_' or '-'",
    ],
    ["object without activities", { items: two }, "activities: expected an array, got nothing"],
    [
      "a bare string",
      "sort a list",
      '(root): expected an array of activities or an object { "activities": [...] }',
    ],
  ])("JSON %s names file, index and field", async (_name, data, expected) => {
    const file = await fileWith("acts.json", JSON.stringify(data));
    expect(await messageOf(file)).toBe(`${file}: ${expected}`);
  });

  it("names the index inside a { activities } wrapper", async () => {
    const file = await fileWith(
      "acts.json",
      JSON.stringify({ activities: [two[0], { id: "b", text: "", category: "Social" }] }),
    );
    expect(await messageOf(file)).toBe(`${file}: activities[1].text: expected non-empty text`);
  });

  it("refuses other extensions and missing files", async () => {
    expect(await messageOf(join(dir, "acts.txt"))).toBe(
      `${join(dir, "acts.txt")}: expected an activity file ending in .json or .csv`,
    );
    expect(await messageOf(join(dir, "none.csv"))).toBe(
      `${join(dir, "none.csv")}: cannot read: no such file`,
    );
  });
});
