import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, unlink } from "node:fs/promises";
import { resolve } from "node:path";
import { PvaError } from "./errors.js";

/** Lock files this process holds, so a stale lock that happens to carry our own pid is recognised. */
const heldHere = new Set<string>();

/** How many stale locks we are willing to clear in a row before giving up (another process keeps racing us). */
const MAX_TAKEOVERS = 5;

function parsePid(content: string): number | undefined {
  const pid = Number.parseInt(content.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readHolder(lockFile: string): Promise<string | undefined> {
  try {
    return await readFile(lockFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** O_EXCL create: exactly one process succeeds; the file holds its pid. */
async function tryCreate(lockFile: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(lockFile, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(`${process.pid}\n`, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Removes a lock whose holder is dead. It is first renamed aside and re-read: if another process
 * took the lock over between our read and the rename, what we moved is its fresh lock, and we put
 * it back instead of deleting it.
 */
async function clearStale(lockFile: string, staleContent: string): Promise<void> {
  const aside = `${lockFile}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = await readFile(aside, "utf8");
  if (moved !== staleContent) await link(aside, lockFile).catch(() => undefined);
  await unlink(aside);
}

/**
 * The lock is held by another live process. `holderPid` is that process and `lockFile` the lock's
 * path, so a caller can word its own message; the default one names both and the fix (the pid may
 * be a reused one that is no pva at all).
 */
export class LockedError extends PvaError {
  readonly holderPid: number;
  readonly lockFile: string;

  constructor(resource: string, holderPid: number, lockFile: string) {
    super(
      `${resource} is in use by process ${holderPid} (lock file ${lockFile}); wait for it to finish, or delete the lock file if that process is not a pva run`,
      "E_LOCKED",
    );
    this.name = "LockedError";
    this.holderPid = holderPid;
    this.lockFile = lockFile;
  }
}

export interface PidLock {
  readonly file: string;
  release(): Promise<void>;
}

/**
 * Takes `lockFile` for this process. A live holder -> LockedError naming the lock file and its pid;
 * a dead holder (crash, SIGKILL) -> its lock is taken over.
 */
export async function acquirePidLock(lockPath: string, resource: string): Promise<PidLock> {
  // Absolute, so that "runs/x.lock" and "/repo/runs/x.lock" are recognised as the same lock here.
  const lockFile = resolve(lockPath);
  if (heldHere.has(lockFile))
    throw new PvaError(`${resource} is already open in this process (lock file ${lockFile})`, "E_LOCKED");
  for (let attempt = 0; attempt <= MAX_TAKEOVERS; attempt++) {
    if (await tryCreate(lockFile)) {
      heldHere.add(lockFile);
      return {
        file: lockFile,
        async release() {
          heldHere.delete(lockFile);
          const content = await readHolder(lockFile);
          if (content !== undefined && parsePid(content) === process.pid)
            await unlink(lockFile).catch(() => undefined);
        },
      };
    }
    const content = await readHolder(lockFile);
    if (content === undefined) continue; // released between our create and read
    const pid = parsePid(content);
    // Our own pid on a lock this process does not hold is a leftover of an earlier process that
    // had the same pid (pids are reused, especially in containers).
    if (pid !== undefined && pid !== process.pid && isAlive(pid))
      throw new LockedError(resource, pid, lockFile);
    if (pid === undefined && content === "") {
      // A holder may be between creating the file and writing its pid: give it a moment.
      await new Promise((r) => setTimeout(r, 50));
      const again = await readHolder(lockFile);
      if (again !== "") continue;
    }
    await clearStale(lockFile, content);
  }
  throw new PvaError(`could not take the lock file ${lockFile}: other processes keep taking it`, "E_LOCKED");
}
