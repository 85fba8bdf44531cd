import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { canonicalJson } from "./hash.js";

/** Objects with their keys sorted at every level, so artifact files diff and hash stably. */
function sortedKeys(value: unknown): unknown {
  return JSON.parse(canonicalJson(value));
}

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

/**
 * Writes JSON so that readers see either the old file or the complete new one, never a prefix:
 * a temporary file in the same folder is written and fsync'd, then renamed over the target.
 * Keys are sorted, indent is 2 spaces, and the file ends with a newline.
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const text = `${JSON.stringify(sortedKeys(value), null, 2)}\n`;
  const dir = dirname(file);
  const temporary = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temporary, "wx");
  try {
    await handle.writeFile(text, "utf8");
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
