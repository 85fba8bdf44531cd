import { createHash } from "node:crypto";
import { open, readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { contentHash, type ModelSource, PvaError } from "@pva/core";
import { builtinDefinition } from "./sources/builtin.js";
import { defaultCacheDir } from "./sources/cache-dir.js";
import { hubFileChecksums } from "./sources/hub.js";

export interface FingerprintOptions {
  /** Where hub downloads are cached (default: PVA_CACHE_DIR or ~/.cache/pva/models): the offline fallback. */
  cacheDir?: string;
  /** Hub base URL (default: HF_ENDPOINT or https://huggingface.co). */
  hubUrl?: string;
}

/** Files of a local model folder the loader reads; anything else in the folder (a README) changes nothing. */
const MODEL_FILES =
  /^(config\.json|tokenizer\.json|tokenizer_config\.json|.*\.safetensors|model\.safetensors\.index\.json)$/;
/** Bytes hashed from the start of each local file: a safetensors/GGUF header and the first weights. */
const HEAD_BYTES = 1 << 16;

/** name, size, mtime and the sha256 of the first HEAD_BYTES of one local file. */
async function localFileFingerprint(file: string): Promise<Record<string, unknown>> {
  const info = await stat(file);
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(Math.min(HEAD_BYTES, info.size));
    await handle.read(head, 0, head.length, 0);
    return {
      name: basename(file),
      size: info.size,
      mtimeMs: Math.floor(info.mtimeMs),
      head: createHash("sha256").update(head).digest("hex"),
    };
  } finally {
    await handle.close();
  }
}

/**
 * A cheap hash that changes when the model's weights may have: for a builtin, its spec; for a hub
 * model, the hub's checksums of its files (so a moved `@main` is seen before anything is
 * downloaded); for a local file or folder, each model file's size, modification time and a hash
 * of its first 64 KiB (so weights replaced in place are seen without reading gigabytes, and a
 * folder moved with its modification times kept is the same model); for an API, its id (nothing
 * cheaper tells two served models apart). It never holds a path, so it may enter any hash.
 * Every stage that asks the model something includes it in its up-to-date check.
 */
export async function modelFingerprint(source: ModelSource, opts: FingerprintOptions = {}): Promise<string> {
  switch (source.kind) {
    case "builtin":
      return contentHash({ kind: "builtin", ...builtinDefinition(source.location) });
    case "hub": {
      const cacheDir = opts.cacheDir ?? defaultCacheDir();
      const files = await hubFileChecksums(source.location, { cacheDir, hubUrl: opts.hubUrl });
      return contentHash({ kind: "hub", files });
    }
    case "endpoint":
      return contentHash({ kind: "endpoint", id: source.id });
    case "local": {
      const info = await stat(source.location).catch(() => {
        throw new PvaError(
          `${source.location}: no such file or folder (expected an HF model folder, a .gguf file, hf:org/name or builtin:random-tiny)`,
          "E_MODEL_SOURCE",
        );
      });
      const files = info.isDirectory()
        ? (await readdir(source.location, { withFileTypes: true }))
            .filter((entry) => !entry.isDirectory() && MODEL_FILES.test(entry.name))
            .map((entry) => entry.name)
            .sort()
            .map((name) => join(source.location, name))
        : [source.location];
      return contentHash({ kind: "local", files: await Promise.all(files.map(localFileFingerprint)) });
    }
  }
}
