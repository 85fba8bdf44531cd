/**
 * The elicitation process that elicit.resume.test.ts kills with SIGKILL: a full design over
 * the first 16 default activities against an OpenAI-compatible test server.
 * argv: <server url> <store file>
 */
import { defaultActivities } from "@pva/core";
import { createOpenAIBackend } from "./backends/openai-backend.js";
import { elicit } from "./elicit.js";

const [url, storeFile] = process.argv.slice(2);
const backend = createOpenAIBackend({
  endpoints: [url],
  model: "resume-model",
  readout: "logprobs",
  timeoutMs: 2_000,
});
await elicit({
  backend,
  activities: defaultActivities.slice(0, 16),
  design: { kind: "full" },
  storeFile,
  condition: "baseline",
  seed: 42,
  samplesPerPair: 1,
  concurrency: 4,
});
process.stdout.write("complete\n");
