import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunFixtureOptions, writeRunFixture } from "../test/run-fixture.js";
import { loadRunArtifacts } from "./run-artifacts.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-report-artifacts-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runWith(name: string, parts?: RunFixtureOptions["parts"]): Promise<string> {
  const run = join(dir, name);
  await writeRunFixture(run, { resamples: 20, parts });
  return run;
}

async function editJson(file: string, edit: (value: Record<string, unknown>) => void): Promise<void> {
  const value = JSON.parse(await readFile(file, "utf8"));
  edit(value);
  await writeFile(file, JSON.stringify(value));
}

describe("loadRunArtifacts", () => {
  it("reads a full run and leaves missing artifacts null", async () => {
    const full = await loadRunArtifacts(await runWith("full"));
    expect(full.preferences?.activities).toHaveLength(64);
    expect(full.choices).toHaveLength(64 * 63);
    expect(full.correlations?.emotions).toHaveLength(171);
    const partial = await loadRunArtifacts(await runWith("partial", ["preferences"]));
    expect(partial.preferences?.activities).toHaveLength(64);
    expect([
      partial.manifest,
      partial.choices,
      partial.vectors,
      partial.probes,
      partial.correlations,
      partial.steering,
    ]).toEqual([null, null, null, null, null, null]);
  });

  it("names the file and the field of a bad artifact", async () => {
    const run = await runWith("bad-category", ["preferences"]);
    await editJson(join(run, "preferences.json"), (v) => {
      (v.activities as { category: string }[])[3].category = "Evil";
    });
    const error = await loadRunArtifacts(run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(
      /preferences\.json: activities\[3\]\.category: expected one of/,
    );
  });

  it("names the row of a probe matrix of the wrong shape", async () => {
    const run = await runWith("bad-probes", ["probes"]);
    await editJson(join(run, "probes.json"), (v) => {
      (v.layers as { scores: number[][] }[])[0].scores[5].pop();
    });
    await expect(loadRunArtifacts(run)).rejects.toThrow(
      /probes\.json: layers\[0\]\.scores\[5\]: expected 171 values/,
    );
  });

  it("skips a torn last line of choices.jsonl but names a bad line before it", async () => {
    const run = await runWith("torn", ["choices"]);
    const file = join(run, "choices.jsonl");
    await appendFile(file, '{"key":"half a rec');
    expect((await loadRunArtifacts(run)).choices).toHaveLength(64 * 63);
    const lines = (await readFile(file, "utf8")).split("\n");
    lines[9] = lines[9].replace('"choice":"', '"choice":"maybe-');
    await writeFile(file, lines.join("\n"));
    await expect(loadRunArtifacts(run)).rejects.toThrow(/choices\.jsonl: line 10, choice: expected one of/);
  });

  it("says so when the run folder does not exist", async () => {
    await expect(loadRunArtifacts(join(dir, "nope"))).rejects.toThrow(
      /nope: cannot read: no such run folder/,
    );
  });
});
