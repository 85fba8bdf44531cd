import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  isTemporaryFile,
  removeTemporaryFiles,
  temporaryFileFor,
  writeFileAtomic,
  writeJsonAtomic,
} from "./write-file-atomic.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-write-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeJsonAtomic", () => {
  it("writes sorted keys, 2-space indent and a trailing newline", async () => {
    const file = join(dir, "out.json");
    await writeJsonAtomic(file, { b: [1, { d: 1, c: 2 }], a: "x", skip: undefined });
    expect(await readFile(file, "utf8")).toBe(
      '{\n  "a": "x",\n  "b": [\n    1,\n    {\n      "c": 2,\n      "d": 1\n    }\n  ]\n}\n',
    );
  });

  it("replaces an existing file and leaves no temporary files behind", async () => {
    const file = join(dir, "out.json");
    await writeJsonAtomic(file, { v: 1 });
    await writeJsonAtomic(file, { v: 2 });
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ v: 2 });
    expect(await readdir(dir)).toEqual(["out.json"]);
  });

  it("concurrent writers never leave a mixed file", async () => {
    const file = join(dir, "out.json");
    const big = (n: number) => ({ n, rows: Array.from({ length: 2000 }, (_, i) => ({ i, n })) });
    await Promise.all(Array.from({ length: 8 }, (_, n) => writeJsonAtomic(file, big(n))));
    const result = JSON.parse(await readFile(file, "utf8")) as ReturnType<typeof big>;
    expect(result.rows.every((row) => row.n === result.n)).toBe(true);
    expect(await readdir(dir)).toEqual(["out.json"]);
  });

  it("refuses values with no JSON form without touching the target", async () => {
    const file = join(dir, "out.json");
    await writeJsonAtomic(file, { v: 1 });
    await expect(writeJsonAtomic(file, { v: Number.NaN })).rejects.toThrow(/non-finite/);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ v: 1 });
  });
});

describe("writeFileAtomic", () => {
  it("writes text, bytes, or what a writer function puts through the handle", async () => {
    await writeFileAtomic(join(dir, "a.txt"), "héllo\n");
    await writeFileAtomic(join(dir, "b.bin"), new Uint8Array([0, 255, 7]));
    await writeFileAtomic(join(dir, "c.bin"), async (handle) => {
      await handle.write(new Uint8Array([1, 2]), 0, 2, 0);
      await handle.write(new Uint8Array([3]), 0, 1, 2);
    });
    expect(await readFile(join(dir, "a.txt"), "utf8")).toBe("héllo\n");
    expect([...(await readFile(join(dir, "b.bin")))]).toEqual([0, 255, 7]);
    expect([...(await readFile(join(dir, "c.bin")))]).toEqual([1, 2, 3]);
    expect((await readdir(dir)).sort()).toEqual(["a.txt", "b.bin", "c.bin"]);
  });

  it("a writer that fails halfway leaves the old file whole and no temporary file", async () => {
    const file = join(dir, "weights.bin");
    await writeFileAtomic(file, "old contents");
    await expect(
      writeFileAtomic(file, async (handle) => {
        await handle.write(new Uint8Array([9, 9, 9]), 0, 3, 0);
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(await readFile(file, "utf8")).toBe("old contents");
    expect(await readdir(dir)).toEqual(["weights.bin"]);
  });

  it("a missing folder is an error and creates nothing", async () => {
    await expect(writeFileAtomic(join(dir, "no", "such.txt"), "x")).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("temporary files", () => {
  it("isTemporaryFile recognises exactly the names temporaryFileFor makes", () => {
    expect(isTemporaryFile(temporaryFileFor(join(dir, "vectors.safetensors")))).toBe(true);
    expect(isTemporaryFile(".probes.json.4242.0a1b2c3d.tmp")).toBe(true);
    for (const name of ["probes.json", "vectors.safetensors.tmp", ".probes.json.tmp", "x.4242.0a1b2c3d.tmp"])
      expect(isTemporaryFile(name)).toBe(false);
  });

  it("removeTemporaryFiles removes a killed writer's leftovers at any depth and nothing else", async () => {
    await mkdir(join(dir, "report", "charts"), { recursive: true });
    await writeFile(join(dir, "probes.json"), "{}");
    await writeFile(join(dir, ".probes.json.99999.deadbeef.tmp"), "{");
    await writeFile(join(dir, "report", "charts", ".elo.svg.12.00ff00ff.tmp"), "<");
    await writeFile(join(dir, "notes.tmp"), "mine");
    const removed = await removeTemporaryFiles(dir);
    expect(removed.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      ".probes.json.99999.deadbeef.tmp",
      join("report", "charts", ".elo.svg.12.00ff00ff.tmp"),
    ]);
    expect((await readdir(dir)).sort()).toEqual(["notes.tmp", "probes.json", "report"]);
    expect(await readdir(join(dir, "report", "charts"))).toEqual([]);
  });
});
