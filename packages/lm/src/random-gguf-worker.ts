import { parentPort } from "node:worker_threads";
import { type RandomRowsJob, randomStoredRows } from "./random-gguf-rows.js";

/** A worker of writeRandomGguf: draws and quantizes the chunks it is sent, answering each with its bytes. */
parentPort?.on("message", (job: RandomRowsJob & { id: number }) => {
  try {
    const bytes = randomStoredRows(job);
    parentPort?.postMessage({ id: job.id, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort?.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});
