import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { InputError, PvaError } from "./errors.js";
import { createRng } from "./rng.js";
import { RunStore } from "./store.js";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const writerScript = fileURLToPath(new URL("./store-writer.fixture.ts", import.meta.url));

const RecordSchema = z.object({ key: z.string(), value: z.number() });
type Rec = z.infer<typeof RecordSchema>;

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-store-"));
  file = join(dir, "choices.jsonl");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = async () => (await readFile(file, "utf8")).split("\n");

describe("RunStore", () => {
  it("appends records as JSON lines and reads them back after reopening", async () => {
    const store = await RunStore.open<Rec>(file, { schema: RecordSchema });
    expect(store.size).toBe(0);
    await store.append({ key: "a", value: 1 });
    await store.append({ key: "b", value: 2 });
    expect(store.has("a")).toBe(true);
    expect(store.get("b")).toEqual({ key: "b", value: 2 });
    await store.close();
    expect(await lines()).toEqual(['{"key":"a","value":1}', '{"key":"b","value":2}', ""]);

    const reopened = await RunStore.open<Rec>(file, { schema: RecordSchema });
    expect(reopened.values()).toEqual([
      { key: "a", value: 1 },
      { key: "b", value: 2 },
    ]);
    expect(reopened.tornLines).toBe(0);
    await reopened.close();
  });

  it("ignores a key already stored or already queued, so re-runs skip finished work", async () => {
    const store = await RunStore.open<Rec>(file);
    await Promise.all([
      store.append({ key: "a", value: 1 }),
      store.append({ key: "a", value: 2 }),
      store.append({ key: "b", value: 3 }),
    ]);
    await store.append({ key: "b", value: 4 });
    await store.close();
    const again = await RunStore.open<Rec>(file);
    await again.append({ key: "a", value: 5 });
    expect(again.values()).toEqual([
      { key: "a", value: 1 },
      { key: "b", value: 3 },
    ]);
    await again.close();
    expect((await lines()).filter(Boolean)).toHaveLength(2);
  });

  it("commits many concurrent appends, each exactly once", async () => {
    const store = await RunStore.open<Rec>(file);
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.append({ key: `k${i % 400}`, value: i })));
    await store.close();
    const keys = (await lines()).filter(Boolean).map((l) => (JSON.parse(l) as Rec).key);
    expect(keys).toHaveLength(400);
    expect(new Set(keys).size).toBe(400);
  });

  it("detects a torn final line, ignores it, and cuts it off before the next append", async () => {
    await writeFile(file, '{"key":"a","value":1}\n{"key":"b","value":2}\n{"key":"c","val');
    const store = await RunStore.open<Rec>(file, { schema: RecordSchema });
    expect(store.tornLines).toBe(1);
    expect(store.values().map((r) => r.key)).toEqual(["a", "b"]);
    // The torn bytes stay until something is appended: opening alone changes nothing on disk.
    expect(await readFile(file, "utf8")).toMatch(/"val$/);
    await store.append({ key: "c", value: 3 });
    await store.close();
    expect(await lines()).toEqual([
      '{"key":"a","value":1}',
      '{"key":"b","value":2}',
      '{"key":"c","value":3}',
      "",
    ]);
    const reopened = await RunStore.open<Rec>(file);
    expect(reopened.tornLines).toBe(0);
    await reopened.close();
  });

  it("keeps a whole record whose newline alone is missing, and writes the newline before the next append", async () => {
    // The rule every reader shares (jsonlLines): a final line that parses is a record, so a file
    // another tool wrote without a final newline loses nothing, and the store agrees with readChoices.
    await writeFile(file, '{"key":"a","value":1}\n{"key":"b","value":2}');
    const store = await RunStore.open<Rec>(file);
    expect(store.tornLines).toBe(0);
    expect(store.values()).toEqual([
      { key: "a", value: 1 },
      { key: "b", value: 2 },
    ]);
    await store.append({ key: "c", value: 3 });
    await store.close();
    expect(await readFile(file, "utf8")).toBe(
      '{"key":"a","value":1}\n{"key":"b","value":2}\n{"key":"c","value":3}\n',
    );
  });

  it("refuses a corrupt line in the middle instead of dropping data, and leaves the file alone", async () => {
    const content = '{"key":"a","value":1}\n{"key":"b",\n{"key":"c","value":3}\n';
    await writeFile(file, content);
    const error = await RunStore.open<Rec>(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PvaError);
    expect((error as Error).message).toBe(
      `${file}:2: corrupt record (not JSON) in the middle of the store; the file was left as it is`,
    );
    expect(await readFile(file, "utf8")).toBe(content);
    // the failed open released its lock
    const store = await RunStore.open<Rec>(`${file}.other`);
    await store.close();
    await writeFile(file, '{"key":"a","value":1}\n');
    await (await RunStore.open<Rec>(file)).close();
  });

  it("validates stored and new records against the schema", async () => {
    await writeFile(file, '{"key":"a","value":1}\n{"key":"b","value":"two"}\n');
    await expect(RunStore.open<Rec>(file, { schema: RecordSchema })).rejects.toThrow(
      new InputError(file, "line 2, value", 'expected a number, got "two"'),
    );
    await writeFile(file, "");
    const store = await RunStore.open<Rec>(file, { schema: RecordSchema });
    await expect(store.append({ key: "x", value: "nope" } as unknown as Rec)).rejects.toThrow(
      `${file}: refusing to store an invalid record: value: expected a number, got "nope"`,
    );
    await store.close();
    await expect(store.append({ key: "y", value: 1 })).rejects.toThrow(`${file}: store is closed`);
  });

  it("refuses a second opener in the same process until the first closes", async () => {
    const store = await RunStore.open<Rec>(file);
    await expect(RunStore.open<Rec>(file)).rejects.toThrow(`lock file ${file}.lock`);
    await store.close();
    await (await RunStore.open<Rec>(file)).close();
  });
});

/** Runs the writer fixture under tsx; `lines` collects what it prints. */
function startWriter(writers: number): {
  child: ChildProcess;
  lines: string[];
  ready: Promise<void>;
  exited: Promise<void>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", writerScript, file, String(writers)], {
    cwd: packageDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const printed: string[] = [];
  let buffer = "";
  let stderr = "";
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) {
      if (line.startsWith("ready")) onReady();
      printed.push(line);
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`writer exited with ${code ?? signal}: ${stderr}`));
    });
  });
  return { child, lines: printed, ready, exited };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("RunStore under SIGKILL", () => {
  it("keeps every completed record exactly once across random kills (24 with appends in flight)", async () => {
    const rng = createRng("store-sigkill").fork("kill-times");
    const completed = new Set<string>();
    let tornSeen = 0;
    let killedBeforeReady = 0;
    let killedWhileAppending = 0;
    let minimumCompleted = 0;
    for (let round = 0; killedWhileAppending < 24; round++) {
      const writer = startWriter(1 + rng.int(4));
      // One kill in five lands during start-up / open (lock takeover, reading, truncating);
      // the rest land while appends are in flight.
      if (rng.float() < 0.2) {
        await Promise.race([writer.ready, sleep(rng.int(400))]);
      } else {
        // Kill after a random number of reported appends plus a random delay, so kills land at
        // varied points of the write/fsync cycle however loaded the machine is.
        await writer.ready;
        const target = rng.int(25);
        minimumCompleted += target;
        while (writer.lines.filter((l) => l.startsWith("r-")).length < target) await sleep(1);
        await sleep(rng.int(10));
      }
      writer.child.kill("SIGKILL");
      await writer.exited;
      const header = writer.lines.find((l) => l.startsWith("ready"));
      if (!header) killedBeforeReady++;
      else {
        killedWhileAppending++;
        if (header.endsWith("torn 1")) tornSeen++;
      }
      for (const line of writer.lines) if (line.startsWith("r-")) completed.add(line);

      // Check the file as it is on disk, without taking the lock (the next writer faces the dead
      // writer's stale lock and any torn line itself).
      const text = await readFile(file, "utf8").catch(() => "");
      const complete = text
        .slice(0, text.lastIndexOf("\n") + 1)
        .split("\n")
        .filter(Boolean);
      const keys = complete.map((line) => {
        const record = JSON.parse(line) as { key: string; payload: string; checksum: string };
        expect(createHash("sha256").update(record.payload).digest("hex")).toBe(record.checksum);
        return record.key;
      });
      expect(new Set(keys).size, `round ${round}: duplicated keys`).toBe(keys.length);
      const onDisk = new Set(keys);
      for (const key of completed) expect(onDisk.has(key), `round ${round}: lost ${key}`).toBe(true);
    }
    const store = await RunStore.open<{ key: string }>(file);
    expect(store.size).toBeGreaterThanOrEqual(completed.size);
    for (const key of completed) expect(store.has(key)).toBe(true);
    await store.close();
    // Rounds completed records before their kill, so the checks above had something to check.
    expect(completed.size).toBeGreaterThanOrEqual(minimumCompleted);
    expect(minimumCompleted).toBeGreaterThan(100);
    console.info(
      `sigkill loop: ${completed.size} completed records, ${tornSeen} torn tails seen at open, ${killedWhileAppending} kills while appending, ${killedBeforeReady} before open finished`,
    );
  });

  it("refuses a second process while the first holds the store, then takes over its stale lock", async () => {
    const writer = startWriter(1);
    await writer.ready;
    const error = await RunStore.open(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PvaError);
    expect((error as Error).message).toBe(
      `${file} is in use by process ${writer.child.pid} (lock file ${file}.lock); wait for it to finish, or delete the lock file if that process is not a pva run`,
    );
    while (!writer.lines.some((line) => line.startsWith("r-"))) await sleep(5);
    writer.child.kill("SIGKILL");
    await writer.exited;
    const store = await RunStore.open(file);
    expect(store.size).toBeGreaterThan(0);
    await store.close();
  });
});
