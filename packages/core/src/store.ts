import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type * as z from "zod";
import { InputError, PvaError } from "./errors.js";
import { type IssueReport, reportIssue } from "./issue-expectation.js";
import { acquirePidLock, type PidLock } from "./pid-lock.js";
import { jsonlLines } from "./run-layout.js";

type FileHandle = Awaited<ReturnType<typeof open>>;

interface PendingAppend<T> {
  line: string;
  key: string;
  record: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface StoreContents<T> {
  records: Map<string, T>;
  /** Bytes up to the end of the last complete line; anything after it is a torn write. */
  validLength: number;
  tornLines: number;
  /** The last record on disk has no newline yet; the next write starts with one. */
  missingNewline: boolean;
}

function validate<T>(schema: z.ZodType<T> | undefined, value: unknown): { ok: true; value: T } | IssueReport {
  if (!schema) return { ok: true, value: value as T };
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const [first] = result.error.issues;
  return first ? reportIssue(first, value) : { path: "(root)", segments: [], expectation: "invalid record" };
}

async function readContents<T extends { key: string }>(
  handle: FileHandle,
  file: string,
  schema: z.ZodType<T> | undefined,
): Promise<StoreContents<T>> {
  const bytes = await handle.readFile();
  const records = new Map<string, T>();
  // The torn-line rule every reader of these files shares (jsonlLines): append() writes line +
  // "\n" in one write and resolves after fsync, so a final line cut short is a write that was
  // never reported as stored; it is ignored here and cut off before the next append. A final
  // record whose newline alone is missing is whole, and kept; the next append adds the newline.
  const { lines, tornTail, missingNewline } = jsonlLines(bytes.toString("utf8"));
  const validLength = tornTail === "" ? bytes.length : bytes.lastIndexOf(0x0a) + 1;
  const tornLines = tornTail === "" ? 0 : 1;
  for (const { lineNumber, text } of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PvaError(
        `${file}:${lineNumber}: corrupt record (not JSON) in the middle of the store; the file was left as it is`,
        "E_STORE_CORRUPT",
      );
    }
    const checked = validate(schema, parsed);
    if (!("ok" in checked))
      throw new InputError(file, `line ${lineNumber}, ${checked.path}`, checked.expectation);
    const record = checked.value;
    if (typeof record?.key !== "string" || record.key === "")
      throw new InputError(file, `line ${lineNumber}, key`, "expected a non-empty string key");
    if (!records.has(record.key)) records.set(record.key, record);
  }
  return { records, validLength, tornLines, missingNewline };
}

/**
 * Append-only JSONL store of records keyed by `key` (a content hash), for results that are
 * expensive to recompute. Crash-safe at the record level: a record whose append() resolved is on
 * disk; a crash mid-write leaves at most one torn final line, which open() detects (`tornLines`),
 * ignores, and cuts off before the next append. One writer at a time, enforced by `${file}.lock`.
 */
export class RunStore<T extends { key: string }> {
  private readonly records: Map<string, T>;
  private readonly queued = new Set<string>();
  private pending: PendingAppend<T>[] = [];
  private flushing: Promise<void> | undefined;
  /** Bytes of complete lines on disk; a failed or torn write past it is cut off before the next one. */
  private validLength: number;
  private truncateTo: number | undefined;
  private missingNewline: boolean;
  private closed = false;

  /** Torn final lines found at open (0 or 1). */
  readonly tornLines: number;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    private readonly lock: PidLock,
    private readonly schema: z.ZodType<T> | undefined,
    contents: StoreContents<T>,
    size: number,
  ) {
    this.records = contents.records;
    this.tornLines = contents.tornLines;
    this.validLength = contents.validLength;
    this.truncateTo = contents.validLength < size ? contents.validLength : undefined;
    this.missingNewline = contents.missingNewline;
  }

  /** Opens (creating if needed) the store and takes its lock; a second opener gets a PvaError naming the lock and its pid. */
  static async open<T extends { key: string }>(
    file: string,
    opts: { schema?: z.ZodType<T> } = {},
  ): Promise<RunStore<T>> {
    await mkdir(dirname(file), { recursive: true });
    const lock = await acquirePidLock(`${file}.lock`, file);
    let handle: FileHandle | undefined;
    try {
      // "a+": reads see the whole file; writes always go to the end (O_APPEND).
      handle = await open(file, "a+");
      const contents = await readContents(handle, file, opts.schema);
      const { size } = await handle.stat();
      return new RunStore<T>(file, handle, lock, opts.schema, contents, size);
    } catch (error) {
      await handle?.close();
      await lock.release();
      throw error;
    }
  }

  get size(): number {
    return this.records.size;
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  get(key: string): T | undefined {
    return this.records.get(key);
  }

  /** Records in the order they were first stored. */
  values(): T[] {
    return [...this.records.values()];
  }

  /**
   * Stores `record` durably (written and fsync'd when the promise resolves). A key already stored
   * or queued is ignored, so re-running a study skips finished work. Appends made while a write is
   * in flight are committed together in one write + fsync.
   */
  append(record: T): Promise<void> {
    if (this.closed) return Promise.reject(new PvaError(`${this.file}: store is closed`, "E_STORE_CLOSED"));
    const checked = validate(this.schema, record);
    if (!("ok" in checked))
      return Promise.reject(
        new PvaError(
          `${this.file}: refusing to store an invalid record: ${checked.path}: ${checked.expectation}`,
        ),
      );
    const { key } = record;
    if (typeof key !== "string" || key === "")
      return Promise.reject(new PvaError(`${this.file}: refusing to store a record without a key`));
    if (this.records.has(key) || this.queued.has(key)) return Promise.resolve();
    this.queued.add(key);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(record)}\n`, key, record: checked.value, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        if (this.truncateTo !== undefined) {
          await this.handle.truncate(this.truncateTo);
          this.truncateTo = undefined;
        }
        const lead = this.missingNewline ? "\n" : "";
        const bytes = Buffer.from(lead + batch.map((p) => p.line).join(""), "utf8");
        let written = 0;
        while (written < bytes.length) {
          const { bytesWritten } = await this.handle.write(bytes, written, bytes.length - written);
          written += bytesWritten;
        }
        await this.handle.sync();
        this.validLength += bytes.length;
        this.missingNewline = false;
        for (const p of batch) {
          this.records.set(p.key, p.record);
          this.queued.delete(p.key);
          p.resolve();
        }
      } catch (error) {
        // Part of the batch may be on disk; cut it off so the next write starts on a clean line.
        this.truncateTo = this.validLength;
        for (const p of batch) {
          this.queued.delete(p.key);
          p.reject(error);
        }
      }
    }
    this.flushing = undefined;
  }

  /** Waits for queued appends, closes the file and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    await this.handle.close();
    await this.lock.release();
  }
}
