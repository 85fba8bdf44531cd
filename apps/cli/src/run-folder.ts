import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import {
  contentHash,
  isTemporaryFile,
  LockedError,
  PvaError,
  RUN_FILES,
  RunStore,
  removeTemporaryFiles,
  sha256Hex,
} from "@pva/core";
import { RunFolderLockedError } from "./run-folder-locked-error.js";

/** What the manifest says about the model; kept in the stage log so a resumed run need not load it. */
export interface ModelInfo {
  id: string;
  hash: string;
  builtinRandom: boolean;
  /** Random weights by the model's own metadata (builtin random, or stamped by writeRandomCheckpoint). */
  randomWeights?: boolean;
  architecture?: string;
}

/** One finished stage: the hash of its inputs and the sha256 of each file it wrote. */
export interface StageRecord {
  key: string;
  stage: string;
  inputs: string;
  artifacts: Record<string, string>;
  model?: ModelInfo;
}

const REASONS: Record<string, string> = {
  ENOTDIR: "a parent of it is a file, not a folder",
  EEXIST: "a file of that name is in the way",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  ENOENT: "this file system does not let a folder be made there",
};

/**
 * `mkdir -p`, a level at a time. Node's recursive mkdir never returns on some file systems that
 * refuse new folders with ENOENT (/proc: `--out /proc/pvaout` looped for ever); here a level
 * whose parent exists and that still cannot be made is an error.
 */
async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      if ((await stat(dir)).isDirectory()) return;
      throw error;
    }
    if (code !== "ENOENT" || dirname(dir) === dir) throw error;
  }
  await makeFolder(dirname(dir));
  await mkdir(dir).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST" || !(await stat(dir)).isDirectory()) throw error;
  });
}

/**
 * A run folder and its stage log (`stages.jsonl`, a RunStore): a stage is skipped when the log has
 * it with the same inputs and every file it wrote is still there, byte for byte. The log stays
 * open (locked) while a command works on the folder, so a second command on the same folder is
 * refused instead of interleaving with the first.
 */
export class RunFolder {
  private constructor(
    readonly dir: string,
    private readonly log: RunStore<StageRecord>,
  ) {}

  static async open(dir: string): Promise<RunFolder> {
    try {
      await makeFolder(resolve(dir));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      throw new PvaError(`${dir}: cannot create the run folder (${REASONS[code] ?? code})`, "E_OUTPUT");
    }
    const log = await RunStore.open<StageRecord>(join(dir, RUN_FILES.stageLog)).catch((error: unknown) => {
      if (error instanceof LockedError) throw new RunFolderLockedError(dir, error.holderPid, error.lockFile);
      if (error instanceof PvaError && error.code === "E_LOCKED")
        throw new PvaError(
          `${dir}: another pva run (in this process) is working on this run folder (${error.message})`,
          "E_RUN_LOCKED",
        );
      throw error;
    });
    // We hold the folder's lock, so a temporary file in it is a killed writer's, never a live one's.
    await removeTemporaryFiles(dir);
    return new RunFolder(dir, log);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  async fileHash(name: string): Promise<string | null> {
    return readFile(this.path(name)).then(sha256Hex, () => null);
  }

  /** The stage's record when it finished with these inputs and its files are unchanged. */
  async finished(stage: string, inputs: string): Promise<StageRecord | undefined> {
    const record = this.log.get(contentHash({ stage, inputs }));
    if (!record) return undefined;
    for (const [name, sha] of Object.entries(record.artifacts))
      if ((await this.fileHash(name)) !== sha) return undefined;
    return record;
  }

  /** Records a stage as finished, with the sha256 of the files (or folders' files) it wrote. */
  async finish(stage: string, inputs: string, outputs: string[], model?: ModelInfo): Promise<StageRecord> {
    const artifacts: Record<string, string> = {};
    for (const name of outputs)
      for (const file of await this.filesUnder(name)) {
        const sha = await this.fileHash(file);
        if (sha === null) throw new Error(`${stage}: expected ${this.path(file)} to be written`);
        artifacts[file] = sha;
      }
    const record: StageRecord = {
      key: contentHash({ stage, inputs }),
      stage,
      inputs,
      artifacts,
      ...(model ? { model } : {}),
    };
    await this.log.append(record);
    return record;
  }

  /** Every record of the log, oldest first. */
  records(): StageRecord[] {
    return this.log.values();
  }

  /** `name` itself when it is a file, or every file below it (sorted, `/`-separated) when it is a folder. */
  async filesUnder(name: string): Promise<string[]> {
    const info = await stat(this.path(name)).catch(() => null);
    if (!info?.isDirectory()) return [name];
    const entries = await readdir(this.path(name), { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && !isTemporaryFile(entry.name))
      .map((entry) => relative(this.dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
      .sort();
  }

  async close(): Promise<void> {
    await this.log.close();
  }

  /**
   * Removes the folder when nothing was recorded in it (a run that failed before its first result,
   * such as an endpoint that could not be reached): no stage finished and every file is empty.
   */
  async removeIfEmpty(): Promise<void> {
    if (this.log.size > 0) return;
    const entries = await readdir(this.dir, { recursive: true, withFileTypes: true }).catch(() => null);
    if (entries === null) return;
    for (const entry of entries) {
      if (entry.isDirectory()) continue;
      const info = await stat(join(entry.parentPath, entry.name)).catch(() => null);
      if (info === null || info.size > 0 || !entry.isFile()) return;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
