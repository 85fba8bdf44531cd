import { stat } from "node:fs/promises";
import { contentHash } from "@pva/core";
import { type Corpus, loadCorpus, loadStoryFile } from "@pva/stimuli";

/**
 * The corpus a study names: the shipped one ("builtin"), a folder laid out like it, or a JSONL
 * file of stories (e.g. from `pva stories generate`) paired with the shipped neutral texts.
 */
export async function studyCorpus(corpus: string): Promise<Corpus> {
  if (corpus === "builtin") return loadCorpus();
  const info = await stat(corpus).catch(() => null);
  if (info?.isDirectory()) return loadCorpus(corpus);
  const builtin = await loadCorpus();
  const stories = await loadStoryFile(corpus);
  return { ...builtin, stories, hash: contentHash({ stories, neutral: builtin.neutral }) };
}
