#!/usr/bin/env node
// `pnpm pva <command> [options]` from the repository: builds what the pva command needs (turbo;
// seconds when nothing changed), then runs it with the caller's arguments, from the folder the
// caller ran pnpm in. `pnpm smoke` and `pnpm study` are `pnpm pva run experiments/...`.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const main = join(root, "apps", "cli", "dist", "main.js");
/** How the README spells pva in the repository; help examples and hints use the same words. */
const SPELLING = "npx -y pnpm@10.34.8 pva";

function build() {
  const firstBuild = !existsSync(main);
  // Sign of life at once: the first build is silent for minutes otherwise.
  if (firstBuild)
    process.stderr.write(
      "pva: building the packages for the first time (about 2 minutes on a 2-core machine; later runs rebuild only what changed)\n",
    );
  const slow = firstBuild
    ? undefined
    : setTimeout(
        () => process.stderr.write("pva: rebuilding the packages that changed since the last build\n"),
        3000,
      );
  const turbo = join(root, "node_modules", "turbo", "bin", "turbo");
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [turbo, "run", "build", "--filter=@pva/cli...", "--output-logs=errors-only"],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("close", (code) => {
      if (slow) clearTimeout(slow);
      if (code !== 0) process.stderr.write(`${output}\npva: the build failed (turbo exited with ${code})\n`);
      resolve(code === 0);
    });
  });
}

if (process.env.PVA_SKIP_BUILD !== "1" && !(await build())) process.exit(1);

// Ctrl-C reaches the command too (same process group); it stops after the current record, and
// this wrapper waits for it instead of dying first.
process.on("SIGINT", () => {});
const child = spawn(process.execPath, [main, ...process.argv.slice(2)], {
  // pnpm runs scripts in the repository root; INIT_CWD is where the caller was.
  cwd: process.env.INIT_CWD ?? process.cwd(),
  stdio: "inherit",
  env: { ...process.env, PVA_COMMAND: SPELLING },
});
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("close", (code, signal) => {
  process.exitCode = code ?? (signal === "SIGINT" ? 130 : 1);
});
