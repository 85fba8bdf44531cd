// Child process of lm.bench.ts: our prefill speed, prefix KV reuse and peak RSS, on its own so
// that llama.cpp's memory does not count. Args: <model folder> <threads> <runs>.
import { loadModel } from "../src/index.js";
import {
  benchTokens,
  type ChildReport,
  median,
  PREFILL_TOKENS,
  PREFIX_TOKENS,
  PROMPTS,
  peakRssBytes,
  SUFFIX_TOKENS,
} from "./bench-workload.js";

const [dir, threadsArg, runsArg] = process.argv.slice(2);
const model = await loadModel(dir, { threads: Number(threadsArg) });
const vocab = model.config.vocabSize;

const prompt = benchTokens("prefill", PREFILL_TOKENS, vocab);
await model.forward(prompt); // warm-up: JIT, scratch buffers, worker spin-up
const runsMs: number[] = [];
for (let run = 0; run < Number(runsArg); run++) {
  const start = performance.now();
  await model.forward(prompt, { logits: "last" });
  runsMs.push(performance.now() - start);
}

// 256 prompts sharing a 16-token prefix: each computed in full, then with the prefix's keys and
// values computed once and the cache truncated back to them before each suffix.
const prefix = benchTokens("prefix", PREFIX_TOKENS, vocab);
const suffixes = Array.from({ length: PROMPTS }, (_, i) => benchTokens(`suffix-${i}`, SUFFIX_TOKENS, vocab));
let start = performance.now();
for (const suffix of suffixes) await model.forward([...prefix, ...suffix]);
const noReuseMs = performance.now() - start;
start = performance.now();
const cache = model.createCache();
await model.forward(prefix, { cache, logits: "none" });
for (const suffix of suffixes) {
  cache.truncate(PREFIX_TOKENS);
  await model.forward(suffix, { cache });
}
const reuseMs = performance.now() - start;

const report: ChildReport = {
  tokS: (PREFILL_TOKENS * 1000) / median(runsMs),
  runsMs,
  prefixReuseSpeedup: noReuseMs / reuseMs,
  noReuseMs,
  reuseMs,
  peakRssBytes: await peakRssBytes(),
};
await model.dispose();
console.log(JSON.stringify(report));
