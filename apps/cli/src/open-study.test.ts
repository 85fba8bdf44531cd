import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadStudy } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStudy } from "./open-study.js";
import { SMOKE_STUDY } from "./pva-child.test-support.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-cli-open-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("openStudy", () => {
  it("names the run folder <name>-<hash12> under ./runs, with the study file's own hash when nothing is overridden", async () => {
    const study = await openStudy(SMOKE_STUDY, {});
    const { hash } = await loadStudy(join(SMOKE_STUDY, "study.json"));
    expect(study.hash).toBe(hash);
    expect(study.runDir).toBe(resolve("runs", `smoke-${hash.slice(0, 12)}`));
    expect(study.activities).toHaveLength(16);
    expect(study.emotions.map((e) => e.name)).toContain("blissful");
    expect(study.declaredOutputDir).toBe("runs");
  });

  it("gives a new hash for options that change results, and the same one for those that do not", async () => {
    const base = await openStudy(SMOKE_STUDY, {});
    const seeded = await openStudy(SMOKE_STUDY, { seed: 7 });
    expect(seeded.hash).not.toBe(base.hash);
    expect(seeded.config.seed).toBe(7);
    const budget = await openStudy(SMOKE_STUDY, { budget: 100 });
    expect(budget.hash).not.toBe(base.hash);
    expect(budget.config.elicitation.design).toEqual({ kind: "active", budget: 100, rounds: 20 });
    const model = await openStudy(SMOKE_STUDY, { model: "builtin:random-135m" });
    expect(model.hash).not.toBe(base.hash);
    expect(model.config.model.source).toBe("builtin:random-135m");
    const quantized = await openStudy(SMOKE_STUDY, { quantize: "q8_0" });
    expect(quantized.hash).not.toBe(base.hash);
    expect(quantized.config.model.quantize).toBe("q8_0");
    const concurrent = await openStudy(SMOKE_STUDY, { concurrency: 16, out: join(dir, "elsewhere") });
    expect(concurrent.hash).toBe(base.hash);
    expect(concurrent.config.elicitation.concurrency).toBe(16);
    expect(concurrent.runDir).toBe(join(dir, "elsewhere", `smoke-${base.hash.slice(0, 12)}`));
  });

  it("sends the choices to an OpenAI-compatible server with --endpoint; which server does not enter the hash", async () => {
    const one = await openStudy(SMOKE_STUDY, { endpoint: ["http://a.example/v1"], model: "qwen2.5-7b" });
    const two = await openStudy(SMOKE_STUDY, {
      endpoint: ["http://b.example/v1", "http://c.example/v1"],
      model: "qwen2.5-7b",
    });
    expect(one.config.model).toMatchObject({
      backend: "openai",
      name: "qwen2.5-7b",
      endpoints: ["http://a.example/v1"],
      // the activation stages still read the study's weights
      source: "builtin:random-tiny",
    });
    expect(one.config.elicitation.readout).toBe("logprobs");
    expect(two.hash).toBe(one.hash);
    const other = await openStudy(SMOKE_STUDY, { endpoint: ["http://a.example/v1"], model: "llama-3.1-8b" });
    expect(other.hash).not.toBe(one.hash);
  });

  it("puts runs where the study's output.dir says, relative to the study file, unless --out says otherwise", async () => {
    const folder = join(dir, "own-output");
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, "study.json"),
      JSON.stringify({ name: "mine", model: { source: "builtin:random-tiny" }, output: { dir: "results" } }),
    );
    const study = await openStudy(join(folder, "study.json"), {});
    expect(study.runDir).toBe(join(folder, "results", `mine-${study.hash.slice(0, 12)}`));
    expect(study.declaredOutputDir).toBe("results");
    const out = await openStudy(folder, { out: join(dir, "o") });
    expect(out.runDir).toBe(join(dir, "o", `mine-${study.hash.slice(0, 12)}`));
  });
});
