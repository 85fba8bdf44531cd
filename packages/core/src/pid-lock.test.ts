import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PvaError } from "./errors.js";
import { acquirePidLock, LockedError } from "./pid-lock.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lock-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (so the pid is dead, barring reuse within milliseconds). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}

describe("acquirePidLock", () => {
  it("writes our pid, refuses a second taker in this process, and removes the file on release", async () => {
    const lockFile = join(dir, "x.lock");
    const lock = await acquirePidLock(lockFile, "x");
    expect((await readFile(lockFile, "utf8")).trim()).toBe(String(process.pid));
    await expect(acquirePidLock(lockFile, "x")).rejects.toThrow(
      `x is already open in this process (lock file ${lockFile})`,
    );
    const spelledRelative = relative(process.cwd(), lockFile);
    await expect(acquirePidLock(spelledRelative, "x")).rejects.toThrow("already open in this process");
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    const again = await acquirePidLock(lockFile, "x");
    await again.release();
  });

  it("refuses a lock held by a live process, naming the lock file and the pid", async () => {
    const lockFile = join(dir, "x.lock");
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      await writeFile(lockFile, `${holder.pid}\n`);
      const error = await acquirePidLock(lockFile, "runs/x/choices.jsonl").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PvaError);
      expect(error).toBeInstanceOf(LockedError);
      expect((error as LockedError).holderPid).toBe(holder.pid);
      expect((error as LockedError).lockFile).toBe(lockFile);
      expect((error as PvaError).code).toBe("E_LOCKED");
      expect((error as Error).message).toBe(
        `runs/x/choices.jsonl is in use by process ${holder.pid} (lock file ${lockFile}); wait for it to finish, or delete the lock file if that process is not a pva run`,
      );
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it.each([
    ["a dead pid", async () => `${await deadPid()}\n`],
    ["garbage", async () => "not a pid"],
    ["nothing (holder died before writing its pid)", async () => ""],
    ["our own pid left by an earlier process", async () => `${process.pid}\n`],
  ])("takes over a stale lock holding %s", async (_name, content) => {
    const lockFile = join(dir, "x.lock");
    await writeFile(lockFile, await content());
    const lock = await acquirePidLock(lockFile, "x");
    expect((await readFile(lockFile, "utf8")).trim()).toBe(String(process.pid));
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });
});
