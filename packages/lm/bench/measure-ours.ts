// Child process of lm.bench.ts: our runtime on the benchmark model. Args: <model folder> <threads>.
import { loadModel } from "../src/index.js";
import { serveBenchEngine } from "./bench-engine.js";
import { benchTokens, PREFILL_TOKENS, PREFIX_TOKENS, PROMPTS, SUFFIX_TOKENS } from "./bench-workload.js";

const [dir, threads] = process.argv.slice(2);
const model = await loadModel(dir, { threads: Number(threads) });
const vocab = model.config.vocabSize;
const prompt = benchTokens("prefill", PREFILL_TOKENS, vocab);
await model.forward(prompt); // warm-up: JIT, scratch buffers, worker threads

serveBenchEngine(
  {
    async prefill() {
      const start = performance.now();
      await model.forward(prompt, { logits: "last" });
      return performance.now() - start;
    },
    // 256 prompts sharing a 16-token prefix: each computed in full, then with the prefix's keys
    // and values computed once and the cache truncated back to them before each suffix.
    async prefixReuse() {
      const prefix = benchTokens("prefix", PREFIX_TOKENS, vocab);
      const suffixes = Array.from({ length: PROMPTS }, (_, i) =>
        benchTokens(`suffix-${i}`, SUFFIX_TOKENS, vocab),
      );
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
      return { noReuseMs, reuseMs: performance.now() - start };
    },
  },
  () => model.dispose(),
);
