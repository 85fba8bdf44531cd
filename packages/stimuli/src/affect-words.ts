import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { builtinCorpusDir } from "./corpus.js";

/** The shipped list of common affect words that neutral texts must avoid. */
export async function loadAffectWords(dir: string = builtinCorpusDir): Promise<string[]> {
  const parsed = JSON.parse(await readFile(join(dir, "affect-words.json"), "utf8")) as { words: string[] };
  return parsed.words;
}
