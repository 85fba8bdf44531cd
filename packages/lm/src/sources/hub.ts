import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { listFiles } from "@huggingface/hub";
import { PvaError, writeFileAtomic } from "@pva/core";

export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number;
}

export interface HubOptions {
  cacheDir: string;
  onProgress?: (p: DownloadProgress) => void;
  /** Default: HF_ENDPOINT, else https://huggingface.co. */
  hubUrl?: string;
}

/** A file of the repository as the hub lists it: git blob sha1, plus sha256 for LFS files. */
interface HubFile {
  path: string;
  size: number;
  /** sha256 for LFS files, git blob sha1 otherwise. */
  checksum: { algorithm: "sha256" | "git-sha1"; hex: string };
}

const MANIFEST = ".pva-manifest.json";
/** What the runtime reads; other formats in a repository (.bin, onnx, gguf) are not downloaded. */
const WANTED =
  /^(config\.json|generation_config\.json|tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json|model(-\d+-of-\d+)?\.safetensors|model\.safetensors\.index\.json)$/;

/**
 * Downloads `org/name[@revision]` into `<cacheDir>/hub/org--name/<revision>/`: listed with
 * @huggingface/hub, fetched with HTTP range requests so an interrupted download resumes where
 * it stopped, and verified against the hub's sha256 (LFS) or git sha1 before it is used.
 */
export async function resolveHub(spec: string, opts: HubOptions): Promise<string> {
  const { repo, revision, hubUrl, dir } = hubLocation(spec, opts);

  let files: HubFile[];
  try {
    files = await listRepository(repo, revision, hubUrl);
  } catch (e) {
    // Offline, a complete verified copy is as good as a fresh listing.
    const cached = await readManifest(dir);
    if (cached && e instanceof PvaError && e.code === "E_HUB_UNREACHABLE") return dir;
    throw e;
  }
  const wanted = files.filter((f) => WANTED.test(f.path));
  if (!wanted.some((f) => f.path.endsWith(".safetensors")))
    throw new PvaError(
      `hf:${spec}: the repository has no model.safetensors weights (only those are supported for hub models)`,
      "E_MODEL_SOURCE",
    );

  await mkdir(dir, { recursive: true });
  const verified = (await readManifest(dir)) ?? {};
  for (const file of wanted) {
    const target = join(dir, file.path);
    const present = await stat(target).then(
      (s) => s.size === file.size,
      () => false,
    );
    if (present && verified[file.path] === file.checksum.hex) continue;
    await download(
      `${hubUrl}/${repo}/resolve/${encodeURIComponent(revision)}/${file.path}`,
      target,
      file,
      spec,
      opts.onProgress,
    );
    verified[file.path] = file.checksum.hex;
    // Replaced whole: a process killed while writing it must not leave a torn list, which would
    // read as no list at all and send every verified file to be downloaded again.
    await writeFileAtomic(join(dir, MANIFEST), JSON.stringify(verified, null, 2));
  }
  return dir;
}

/**
 * The hub's checksum (sha256 for LFS files, git sha1 otherwise) of each file of `org/name[@revision]`
 * the runtime reads, from a fresh listing; offline, from the verified copy in the cache (the files
 * a run would then use). What `modelFingerprint` hashes, so a revision that moved is seen without
 * downloading anything.
 */
export async function hubFileChecksums(spec: string, opts: HubOptions): Promise<Record<string, string>> {
  const { repo, revision, hubUrl, dir } = hubLocation(spec, opts);
  try {
    const files = await listRepository(repo, revision, hubUrl);
    return Object.fromEntries(
      files.filter((f) => WANTED.test(f.path)).map((f) => [f.path, f.checksum.hex] as const),
    );
  } catch (e) {
    const cached = await readManifest(dir);
    if (cached && e instanceof PvaError && e.code === "E_HUB_UNREACHABLE") return cached;
    throw e;
  }
}

function hubLocation(
  spec: string,
  opts: HubOptions,
): { repo: string; revision: string; hubUrl: string; dir: string } {
  const match = /^([\w.-]+\/[\w.-]+)(?:@([\w./-]+))?$/.exec(spec);
  if (!match)
    throw new PvaError(`hf:${spec}: expected hf:org/name or hf:org/name@revision`, "E_MODEL_SOURCE");
  const [, repo, revision = "main"] = match;
  const hubUrl = (opts.hubUrl ?? process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
  const dir = join(opts.cacheDir, "hub", repo.replace("/", "--"), revision.replace(/\//g, "--"));
  return { repo, revision, hubUrl, dir };
}

async function listRepository(repo: string, revision: string, hubUrl: string): Promise<HubFile[]> {
  const files: HubFile[] = [];
  try {
    for await (const entry of listFiles({
      repo,
      revision,
      hubUrl,
      recursive: true,
      accessToken: process.env.HF_TOKEN || undefined,
    })) {
      if (entry.type !== "file") continue;
      files.push({
        path: entry.path,
        size: entry.lfs?.size ?? entry.size,
        checksum: entry.lfs
          ? { algorithm: "sha256", hex: entry.lfs.oid }
          : { algorithm: "git-sha1", hex: entry.oid ?? "" },
      });
    }
  } catch (e) {
    throw hubError(e, `hf:${repo}${revision === "main" ? "" : `@${revision}`}`, hubUrl);
  }
  return files;
}

function hubError(e: unknown, source: string, hubUrl: string): PvaError {
  const status = (e as { statusCode?: number }).statusCode;
  if (status === 404 || status === 401)
    return new PvaError(
      `${source}: not found on ${hubUrl} (check the name and revision, or set HF_TOKEN for a gated repository)`,
      "E_HUB_NOT_FOUND",
    );
  if (status !== undefined)
    return new PvaError(`${source}: the hub at ${hubUrl} answered HTTP ${status}`, "E_HUB");
  return new PvaError(
    `${source}: cannot reach the Hugging Face hub at ${hubUrl} (${networkCause(e)}); check the network or set HF_ENDPOINT`,
    "E_HUB_UNREACHABLE",
  );
}

/** The system error code (ECONNREFUSED, ENOTFOUND, ...) buried in fetch's "fetch failed" causes. */
function networkCause(e: unknown): string {
  let current: unknown = e;
  let message = (e as Error).message;
  for (let depth = 0; depth < 5 && current; depth++) {
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof code === "string" && code.startsWith("E")) return code;
    message = (current as Error).message ?? message;
    current = cause ?? errors?.[0];
  }
  return message;
}

async function readManifest(dir: string): Promise<Record<string, string> | null> {
  try {
    return JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as Record<string, string>;
  } catch {
    return null;
  }
}

function checksumHash(file: HubFile): Hash {
  const hash = createHash(file.checksum.algorithm === "sha256" ? "sha256" : "sha1");
  // A git blob id hashes a "blob <size>\0" header before the content.
  if (file.checksum.algorithm === "git-sha1") hash.update(`blob ${file.size}\0`);
  return hash;
}

/**
 * Fetches into `<target>.incomplete`, resuming from its length, then verifies and renames it into
 * place. Not core's writeFileAtomic: that writes a whole file in one go under a fresh temporary
 * name (and a locked run folder clears its leftovers), while a weights file is gigabytes fetched
 * over a network that drops, so its partial file keeps one fixed name that a later call finds and
 * resumes with an HTTP range request; the rename at the end is what makes it appear whole.
 */
async function download(
  url: string,
  target: string,
  file: HubFile,
  source: string,
  onProgress?: (p: DownloadProgress) => void,
): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.incomplete`;
  let offset = await stat(partial).then(
    (s) => (s.size <= file.size ? s.size : 0),
    () => 0,
  );
  const hash = checksumHash(file);
  if (offset > 0)
    for await (const chunk of createReadStream(partial, { end: offset - 1 })) hash.update(chunk as Buffer);

  let response: Response;
  try {
    response = await fetch(url, {
      headers: {
        ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
        ...(process.env.HF_TOKEN ? { Authorization: `Bearer ${process.env.HF_TOKEN}` } : {}),
      },
    });
  } catch (e) {
    throw hubError(e, `hf:${source} ${file.path}`, new URL(url).origin);
  }
  if (offset > 0 && response.status === 200) {
    // The server ignored the range: start over.
    offset = 0;
  }
  if (!response.ok || !response.body)
    throw hubError({ statusCode: response.status }, `hf:${source} ${file.path}`, new URL(url).origin);
  const restart = offset === 0;
  const digest = restart ? checksumHash(file) : hash;
  const handle = await open(partial, restart ? "w" : "a");
  let loaded = offset;
  try {
    onProgress?.({ file: file.path, loaded, total: file.size });
    for await (const chunk of response.body) {
      await handle.write(chunk);
      digest.update(chunk);
      loaded += chunk.length;
      onProgress?.({ file: file.path, loaded, total: file.size });
    }
  } catch (e) {
    throw new PvaError(
      `hf:${source}: download of ${file.path} interrupted at ${loaded} of ${file.size} bytes (${(e as Error).message}); run again to resume`,
      "E_HUB_INTERRUPTED",
    );
  } finally {
    await handle.close();
  }
  if (loaded !== file.size) {
    if (loaded > file.size) await rm(partial, { force: true });
    throw new PvaError(
      `hf:${source}: download of ${file.path} stopped at ${loaded} of ${file.size} bytes; run again to resume`,
      "E_HUB_INTERRUPTED",
    );
  }
  const actual = digest.digest("hex");
  if (actual !== file.checksum.hex) {
    await rm(partial, { force: true });
    throw new PvaError(
      `hf:${source}: ${file.path} failed verification (${file.checksum.algorithm} ${actual}, the hub lists ${file.checksum.hex}); removed, run again`,
      "E_HUB_CHECKSUM",
    );
  }
  await rename(partial, target);
}
