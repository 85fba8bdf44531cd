import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  contentHash,
  emotionCatalog,
  InputError,
  jsonlLines,
  type NeutralRecord,
  NeutralRecordSchema,
  parseWithSchema,
  type StoryRecord,
  StoryRecordSchema,
} from "@pva/core";
import { z } from "zod";

/** The corpus the emotion vectors are built from: stories per emotion, neutral texts, forbidden words. */
export interface Corpus {
  stories: StoryRecord[];
  neutral: NeutralRecord[];
  /** Per emotion, the word family that must never appear in its stories. */
  relatives: Record<string, string[]>;
  /** contentHash of the records, so vectors can name the exact corpus they came from. */
  hash: string;
}

// src/ and dist/ both sit one level below the package root, so this resolves from either.
export const builtinCorpusDir: string = fileURLToPath(new URL("../data/", import.meta.url));

const RelativesSchema = z.record(z.string(), z.array(z.string().min(1)));

/**
 * Loads a corpus folder laid out like the shipped one: `stories/*.jsonl`, `relatives/*.json`
 * and `neutral.jsonl`. Stories come back in emotion-catalog order so the result is the same
 * whatever order the file system lists the files in.
 */
export async function loadCorpus(dir: string = builtinCorpusDir): Promise<Corpus> {
  const storyFiles = (await readdir(join(dir, "stories"))).filter((f) => f.endsWith(".jsonl")).sort();
  const stories: StoryRecord[] = [];
  for (const file of storyFiles)
    stories.push(...(await readJsonl(join(dir, "stories", file), StoryRecordSchema)));

  const relatives: Record<string, string[]> = {};
  const relativeFiles = (await readdir(join(dir, "relatives")).catch(() => [] as string[]))
    .filter((f) => f.endsWith(".json"))
    .sort();
  for (const file of relativeFiles) {
    const path = join(dir, "relatives", file);
    Object.assign(
      relatives,
      parseWithSchema(RelativesSchema, parseJson(await readFile(path, "utf8"), path), path),
    );
  }

  const neutral = await readJsonl(join(dir, "neutral.jsonl"), NeutralRecordSchema);

  const order = new Map(emotionCatalog.map((e, i) => [e.name, i]));
  stories.sort(
    (a, b) => (order.get(a.emotion) ?? 1e9) - (order.get(b.emotion) ?? 1e9) || a.id.localeCompare(b.id),
  );
  return { stories, neutral, relatives, hash: contentHash({ stories, neutral }) };
}

/** Loads a single JSONL file of stories, e.g. one written by `pva stories generate`. */
export async function loadStoryFile(file: string): Promise<StoryRecord[]> {
  return readJsonl(file, StoryRecordSchema);
}

/**
 * A corpus file's records, split by core's one JSONL line rule (jsonlLines). Unlike a run's
 * choices.jsonl, a corpus file is never appended to while pva reads it, so a final line that is
 * not JSON is no torn write to skip: it is an error naming its line, as every bad line is.
 */
async function readJsonl<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  const text = await readFile(file, "utf8");
  const { lines, tornTail } = jsonlLines(text);
  const records = lines.map(({ lineNumber, text: line }) => {
    const source = `${file}:${lineNumber}`;
    return parseWithSchema(schema, parseJson(line, source), source);
  });
  // After the complete lines, so an earlier bad line is still the one reported. The tail is the
  // text after the last newline, the file's last line; parseJson throws, as it is not JSON.
  if (tornTail.trim() !== "") parseJson(tornTail, `${file}:${text.split("\n").length}`);
  return records;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(source, "(json)", `invalid JSON: ${(error as Error).message}`);
  }
}
