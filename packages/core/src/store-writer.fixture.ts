/**
 * Child process of store.test.ts: appends records to a RunStore as fast as it can and prints each
 * key only after its append resolved, until it is killed. Usage: store-writer.fixture.ts <file> <writers>
 */
import { createHash } from "node:crypto";
import { RunStore } from "./store.js";

interface WriterRecord {
  key: string;
  payload: string;
  checksum: string;
}

const [file, writersArg] = process.argv.slice(2);
if (!file) throw new Error("usage: store-writer.fixture.ts <file> <writers>");
const writers = Number(writersArg ?? "4");

const store = await RunStore.open<WriterRecord>(file);
process.stdout.write(`ready ${store.size} torn ${store.tornLines}\n`);

let next = 0;
async function writer(): Promise<never> {
  for (;;) {
    // Re-running from 0 skips the keys already stored, as a resumed study does; payload sizes vary
    // so that kills land inside writes of different lengths.
    const n = next++;
    const key = `r-${n}`;
    if (store.has(key)) continue;
    const payload = "x".repeat((n * 7919) % 5000);
    await store.append({ key, payload, checksum: createHash("sha256").update(payload).digest("hex") });
    // A duplicate append must be ignored, never written twice.
    if (n % 5 === 0) await store.append({ key, payload: "dup", checksum: "dup" });
    process.stdout.write(`${key}\n`);
  }
}

await Promise.all(Array.from({ length: writers }, writer));
