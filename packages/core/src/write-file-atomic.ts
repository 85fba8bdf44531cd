import { randomBytes } from "node:crypto";
import { type FileHandle, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { canonicalJson } from "./hash.js";

/**
 * What to put in the file: its whole text or bytes, or a function that writes it through the
 * handle (for files too large to hold in memory, written a chunk at a time).
 */
export type AtomicContent = string | Uint8Array | ((handle: FileHandle) => Promise<void>);

async function fsyncDirectory(dir: string): Promise<void> {
  // A directory fsync makes the rename durable; some file systems refuse it, and then there is
  // nothing more we can do.
  const handle = await open(dir, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // not supported here
  } finally {
    await handle.close();
  }
}

/** The temporary name a write of `file` goes through; dot-prefixed, so listings and globs skip it. */
export function temporaryFileFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** Whether a file name is one temporaryFileFor makes (the one temp-file naming rule of pva). */
export function isTemporaryFile(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(basename(name));
}

/**
 * Removes the temporary files writeFileAtomic left in `dir` and below when a process was killed
 * mid-write (a SIGKILL skips its clean-up). Call it only while holding the folder's lock: a
 * temporary file there then belongs to no live writer. Returns the removed paths.
 */
export async function removeTemporaryFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const leftovers = entries
    .filter((entry) => entry.isFile() && isTemporaryFile(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
  for (const file of leftovers) await rm(file, { force: true });
  return leftovers;
}

/**
 * The one way pva replaces a file: readers see either the old file or the complete new one,
 * never a prefix. A temporary file in the same folder is written and fsync'd, then renamed over
 * the target, and the folder is fsync'd. On any failure the temporary file is removed and the
 * target is left as it was.
 */
export async function writeFileAtomic(file: string, content: AtomicContent): Promise<void> {
  const dir = dirname(file);
  const temporary = temporaryFileFor(file);
  const handle = await open(temporary, "wx");
  try {
    if (typeof content === "function") await content(handle);
    else await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await fsyncDirectory(dir);
}

/** Objects with their keys sorted at every level, so artifact files diff and hash stably. */
function sortedKeys(value: unknown): unknown {
  return JSON.parse(canonicalJson(value));
}

/**
 * Writes JSON atomically (see writeFileAtomic). Keys are sorted, indent is 2 spaces, and the file
 * ends with a newline.
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(sortedKeys(value), null, 2)}\n`);
}
