import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LockedError, sha256Hex } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodeOf } from "./errors.js";
import { RunFolder } from "./run-folder.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-cli-folder-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("RunFolder", () => {
  it("skips a stage only while its inputs and every file it wrote are unchanged", async () => {
    const folder = await RunFolder.open(join(dir, "a"));
    await writeFile(folder.path("result.json"), "{}\n");
    const record = await folder.finish("fit", "inputs-1", ["result.json"]);
    expect(record.artifacts).toEqual({ "result.json": sha256Hex("{}\n") });
    expect(await folder.finished("fit", "inputs-1")).toEqual(record);
    expect(await folder.finished("fit", "inputs-2")).toBeUndefined();
    expect(await folder.finished("probe", "inputs-1")).toBeUndefined();
    await writeFile(folder.path("result.json"), "{ }\n");
    expect(await folder.finished("fit", "inputs-1")).toBeUndefined();
    await rm(folder.path("result.json"));
    expect(await folder.finished("fit", "inputs-1")).toBeUndefined();
    await folder.close();
  });

  it("hashes every file of a folder artifact and remembers the log across opens", async () => {
    const first = await RunFolder.open(join(dir, "b"));
    await writeFile(first.path("one.txt"), "1");
    const report = first.path("report");
    await mkdir(join(report, "charts"), { recursive: true });
    await writeFile(join(report, "index.html"), "<html>");
    await writeFile(join(report, "charts", "elo.svg"), "<svg>");
    const record = await first.finish("report", "x", ["report"]);
    expect(Object.keys(record.artifacts)).toEqual(["report/charts/elo.svg", "report/index.html"]);
    await first.close();
    const again = await RunFolder.open(join(dir, "b"));
    expect(await again.finished("report", "x")).toEqual(record);
    await again.close();
  });

  it("refuses a second opener while the folder is in use", async () => {
    const folder = await RunFolder.open(join(dir, "c"));
    await expect(RunFolder.open(join(dir, "c"))).rejects.toThrow(
      /c: another pva run .* is working on this run folder/,
    );
    await folder.close();
    const reopened = await RunFolder.open(join(dir, "c"));
    await reopened.close();
  });

  it("names another live process that holds the folder, as a field and in its one line", async () => {
    // A process that is alive and is not this one holds the lock, as a second pva run would.
    const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
    const exited = new Promise((resolve) => holder.on("exit", resolve));
    try {
      const pid = holder.pid!;
      const folder = join(dir, "held");
      const lockFile = join(folder, "stages.jsonl.lock");
      await mkdir(folder);
      await writeFile(lockFile, `${pid}\n`);
      const error = await RunFolder.open(folder).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockedError);
      expect(error).toMatchObject({ holderPid: pid, lockFile, code: "E_RUN_LOCKED" });
      expect((error as Error).message).toBe(
        `${folder}: another pva run (process ${pid}) is working on this run folder; wait for it to finish, or, if process ${pid} is not pva (a pid reused after a crash), delete ${lockFile}`,
      );
      expect(exitCodeOf(error)).toBe(2);
    } finally {
      holder.kill();
      await exited;
    }
  });

  it("names the reason when the folder cannot be created", async () => {
    await writeFile(join(dir, "file"), "x");
    await expect(RunFolder.open(join(dir, "file", "run"))).rejects.toThrow(
      /file[/\\]run: cannot create the run folder \(a parent of it is a file, not a folder\)/,
    );
  });

  it("removes a folder in which nothing was recorded (only empty files), and keeps one with results", async () => {
    const empty = await RunFolder.open(join(dir, "empty"));
    await empty.close();
    await empty.removeIfEmpty();
    expect(await stat(join(dir, "empty")).catch(() => null)).toBeNull();
    const nothing = await RunFolder.open(join(dir, "nothing"));
    await writeFile(nothing.path("choices.jsonl"), "");
    await nothing.close();
    await nothing.removeIfEmpty();
    expect(await stat(join(dir, "nothing")).catch(() => null)).toBeNull();
    const used = await RunFolder.open(join(dir, "used"));
    await writeFile(used.path("choices.jsonl"), '{"key":"k"}\n');
    await used.close();
    await used.removeIfEmpty();
    expect(await readdir(join(dir, "used"))).toContain("choices.jsonl");
  });
});
