#!/usr/bin/env node
// pnpm test:stress [--runs N] [--burners K]
//
// Runs every package's tests N times in a row (turbo's cache bypassed) while K processes spin on
// the CPU, so each run sees a machine busier than it has cores. Prints each run's result, then
// "stress: P of N runs passed" and every failed test with how often it failed. The log of each
// failed run is kept in .stress/ for reading. Exits 1 if any run failed.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const usage = "usage: pnpm test:stress [--runs N] [--burners K]";

function parseArgs(argv) {
  const options = { runs: 20, burners: availableParallelism() };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === "--") continue;
    if (name === "--help" || name === "-h") {
      console.log(usage);
      process.exit(0);
    }
    const key = { "--runs": "runs", "--burners": "burners" }[name];
    const value = argv[i + 1];
    if (key === undefined || value === undefined || !/^\d+$/.test(value)) {
      console.error(
        `test:stress: ${key ? `${name} expects a whole number, got ${value ?? "nothing"}` : `unknown option ${name}`}; ${usage}`,
      );
      process.exit(2);
    }
    options[key] = Number(value);
    i++;
  }
  if (options.runs < 1) {
    console.error(`test:stress: --runs must be at least 1; ${usage}`);
    process.exit(2);
  }
  return options;
}

const { runs, burners } = parseArgs(process.argv.slice(2));

/** The workspace's own turbo, started by this node. */
const turbo = [process.execPath, join(root, "node_modules", "turbo", "bin", "turbo")];

function run(args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(args[0], args.slice(1), {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** "package: file > test" for each test vitest reports as failed, or the task if none is named. */
function failedTests(output) {
  const failed = new Set();
  for (const line of output.split("\n")) {
    const test = /^(@pva\/[\w-]+):test:\s+FAIL\s+(.+?)\s*$/.exec(line);
    if (test) failed.add(`${test[1]}: ${test[2]}`);
  }
  if (failed.size === 0) {
    for (const line of output.split("\n")) {
      const task = /(@pva\/[\w-]+)#(\w+):.*\bcommand .* exited \((\d+)\)/.exec(line);
      if (task)
        failed.add(`${task[1]}: ${task[2]} task exited with ${task[3]} (no failed test named; see the log)`);
    }
  }
  if (failed.size === 0) failed.add("(the run failed before any test: see the log)");
  return [...failed];
}

// Spinning processes, ended however this script ends.
const spinners = [];
function stopSpinners() {
  for (const spinner of spinners.splice(0)) spinner.kill("SIGKILL");
}
process.on("exit", stopSpinners);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    stopSpinners();
    process.exit(130);
  });
}

console.log(
  `test:stress: building once, then ${runs} run(s) of every package's tests with ${burners} CPU-burning process(es) on ${availableParallelism()} core(s)`,
);
const build = await run([...turbo, "run", "build", "--output-logs=errors-only"]);
if (build.code !== 0) {
  console.error("test:stress: the build failed; fix it first");
  process.exit(1);
}

for (let i = 0; i < burners; i++) {
  spinners.push(spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
}

const logDir = join(root, ".stress");
const failures = new Map();
let passed = 0;
for (let n = 1; n <= runs; n++) {
  const started = Date.now();
  // --force: turbo would otherwise replay the cached result of an unchanged package; --continue:
  // one failing package must not keep the others' tests from running and being counted.
  const result = await run([...turbo, "run", "test", "--force", "--continue", "--output-logs=errors-only"], {
    capture: true,
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (result.code === 0) {
    passed++;
    console.log(`run ${n}/${runs}: passed (${seconds} s)`);
    continue;
  }
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, `run-${n}.log`);
  writeFileSync(log, result.output);
  const tests = failedTests(result.output);
  for (const test of tests) failures.set(test, (failures.get(test) ?? 0) + 1);
  console.log(`run ${n}/${runs}: FAILED (${seconds} s; log ${log})`);
  for (const test of tests) console.log(`  ${test}`);
}
stopSpinners();

console.log(
  `stress: ${passed} of ${runs} runs passed with ${burners} CPU-burning process(es) on ${availableParallelism()} core(s)`,
);
for (const [test, count] of [...failures].sort((a, b) => b[1] - a[1]))
  console.log(`  failed ${count}x: ${test}`);
process.exit(passed === runs ? 0 : 1);
