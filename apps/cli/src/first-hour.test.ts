import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatBytes } from "./commands/model-command.js";
import { onlyRunFolder, type PvaResult, REPO_ROOT, runPva } from "./pva-child.test-support.js";

const README_SPELLING = "npx -y pnpm@10.34.8 pva";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-cli-first-hour-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `pnpm pva ...` as pnpm runs it: scripts/pva.mjs from the repository root, INIT_CWD the caller's folder. */
function runWrapper(args: string[], callerDir: string): Promise<PvaResult> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "scripts", "pva.mjs"), ...args], {
    cwd: REPO_ROOT,
    // The test task has built the packages already; the wrapper's build step is turbo's.
    env: { ...process.env, CI: "1", FORCE_COLOR: "0", INIT_CWD: callerDir, PVA_SKIP_BUILD: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((done) => child.on("close", (code, signal) => done({ code, signal, stdout, stderr })));
}

describe("pva init", () => {
  it("writes a starter study that loads, names the schema editors check it with, and runs", async () => {
    const made = await runPva(["init", "my-study"], dir);
    expect(made.code, made.stderr).toBe(0);
    expect((await readdir(join(dir, "my-study"))).sort()).toEqual([
      "README.md",
      "activities.csv",
      "study.json",
    ]);
    expect(made.stdout.trim().split("\n").at(-1)).toBe("next: pva run my-study");
    const study = JSON.parse(await readFile(join(dir, "my-study", "study.json"), "utf8"));
    expect(study.name).toBe("my-study");
    // $schema points, from the study folder, at the schema @pva/core ships.
    expect(resolve(dir, "my-study", study.$schema)).toBe(
      join(REPO_ROOT, "packages", "core", "study.schema.json"),
    );
    const readme = await readFile(join(dir, "my-study", "README.md"), "utf8");
    expect(readme).toContain("pva run my-study");

    const run = await runPva(["run", "my-study", "--out", "runs"], dir);
    expect(run.code, run.stderr).toBe(0);
    const folder = await onlyRunFolder(join(dir, "runs"));
    expect(folder).toMatch(/[/\\]my-study-[0-9a-f]{12}$/);
    expect(await readdir(join(folder, "report"))).toContain("index.html");
  });

  it("refuses a folder that is not empty, in one line", async () => {
    await runPva(["init", "taken"], dir);
    const again = await runPva(["init", "taken"], dir);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(
      "pva: taken: the folder is not empty; pva init writes only into a new or empty folder",
    );
  });
});

describe("pva model", () => {
  it("model info prints parameters, weight types, size on disk and the memory loading needs", async () => {
    const json = await runPva(["model", "info", "builtin:random-tiny", "--json"], dir);
    expect(json.code, json.stderr).toBe(0);
    const facts = JSON.parse(json.stdout);
    // random-tiny: llama, hidden 64, 4 layers, 4 heads of 16 with 2 KV heads, MLP 128, vocab 1024,
    // tied embeddings: embedding + final norm + per layer (2 norms, q, k, v, o, gate, up, down).
    const h = 64;
    const kv = 2 * 16;
    const perLayer = 2 * h + h * h + 2 * kv * h + h * h + 3 * 128 * h;
    expect(facts.parameters).toBe(1024 * h + h + 4 * perLayer);
    // F32 weights stay F32: 4 bytes each, and the files hold them plus config and tokenizer.
    expect(facts.storedTypes).toEqual({ F32: facts.parameters });
    expect(facts.memoryTypes).toEqual({ f32: facts.parameters });
    expect(facts.bytesOnDisk).toBeGreaterThan(4 * facts.parameters);
    expect(facts.memoryNeeded).toBeGreaterThan(4 * facts.parameters);
    const text = await runPva(["model", "info", "builtin:random-tiny"], dir);
    expect(text.stdout).toMatch(/^parameters +213568 \(213\.6K\)$/m);
    expect(text.stdout).toContain(`${facts.bytesOnDisk} (${formatBytes(facts.bytesOnDisk)})`);
    expect(text.stdout).toMatch(/^weightTypes +F32 213\.6K$/m);
  });

  it("model pull takes only hub models, and says why in one line", async () => {
    for (const [source, why] of [
      ["builtin:random-tiny", "a builtin model is written on first use, no download needed"],
      ["./my-model.gguf", "a local folder or .gguf file is used where it is, no download needed"],
      ["hf:just-a-name", "expected hf:org/name or hf:org/name@revision"],
    ]) {
      const result = await runPva(["model", "pull", source], dir);
      expect(result.code, source).toBe(2);
      expect(result.stderr.trim()).toBe(
        `pva: model pull: ${source}: only hub models (hf:org/name[@rev]) can be pulled; ${why}`,
      );
    }
  });

  it("formats sizes as disks count them", () => {
    expect(formatBytes(999)).toBe("999 bytes");
    expect(formatBytes(854_272)).toBe("854 kB");
    expect(formatBytes(1_436_000)).toBe("1.4 MB");
    expect(formatBytes(723_674_176)).toBe("724 MB");
    expect(formatBytes(16_060_000_000)).toBe("16.1 GB");
  });
});

describe("pnpm pva from the repository", () => {
  it("runs pva in the caller's folder, and help examples and hints use the README's spelling", async () => {
    const help = await runWrapper(["--help"], dir);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain(`$ ${README_SPELLING} run experiments/smoke`);
    expect(help.stdout).not.toMatch(/\$ pva /);
    const made = await runWrapper(["init", "from-wrapper"], dir);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout.trim().split("\n").at(-1)).toBe(`next: ${README_SPELLING} run from-wrapper`);
    expect(await readdir(join(dir, "from-wrapper"))).toContain("study.json");
  });
});
