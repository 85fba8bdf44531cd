import { LockedError, type PvaErrorCode } from "@pva/core";

/**
 * Another live process holds a run folder's lock. It is core's LockedError, so `holderPid` and
 * `lockFile` stay fields a caller can read (a script that waits for that process, a test), with
 * the message a user of the cli reads: what is busy, which process holds it, and the way out
 * when that pid is a reused one.
 */
export class RunFolderLockedError extends LockedError {
  override readonly code: PvaErrorCode = "E_RUN_LOCKED";

  constructor(dir: string, holderPid: number, lockFile: string) {
    super(dir, holderPid, lockFile);
    this.name = "RunFolderLockedError";
    this.message = `${dir}: another pva run (process ${holderPid}) is working on this run folder; wait for it to finish, or, if process ${holderPid} is not pva (a pid reused after a crash), delete ${lockFile}`;
  }
}
