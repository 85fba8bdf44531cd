import { type ChildProcess, spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "@pva/core";

/** The built command, as users run it (the test task builds the package first). */
export const PVA_MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const SMOKE_STUDY = join(REPO_ROOT, "experiments", "smoke");

export interface PvaResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node dist/main.js ...args` in `cwd`, stdout and stderr collected. */
export function startPva(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<PvaResult> } {
  const child = spawn(process.execPath, [PVA_MAIN, ...args], {
    cwd,
    env: { ...process.env, CI: "1", FORCE_COLOR: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    child.emit("stderr-line", stderr);
  });
  const done = new Promise<PvaResult>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export function runPva(args: string[], cwd: string, env: Record<string, string> = {}): Promise<PvaResult> {
  return startPva(args, cwd, env).done;
}

/** sha256 of every file below `dir`, by relative path, so a folder can be compared byte for byte. */
export async function folderDigest(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
  const digest: Record<string, string> = {};
  for (const file of files) digest[file] = sha256Hex(await readFile(join(dir, file)));
  return digest;
}

/** The single run folder below an output dir. */
export async function onlyRunFolder(outDir: string): Promise<string> {
  const names = await readdir(outDir);
  if (names.length !== 1) throw new Error(`expected one run folder in ${outDir}, found ${names.join(", ")}`);
  return join(outDir, names[0]);
}
