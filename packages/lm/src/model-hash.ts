import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename } from "node:path";

/** sha256 over the files that define a model (names and contents, in the given order). */
export async function hashModelFiles(files: string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(`${basename(file)}\n`);
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 }))
      hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}
