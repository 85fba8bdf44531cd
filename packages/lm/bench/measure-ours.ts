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
    // 256 prompts sharing a 16-token prefix, each computed in full and, in turn, as its suffix
    // after the prefix's keys and values (computed once, counted once; the cache is truncated
    // back to them before each suffix). Interleaving the two puts passing load on both alike.
    async prefixReuse() {
      const prefix = benchTokens("prefix", PREFIX_TOKENS, vocab);
      const cache = model.createCache();
      let start = performance.now();
      await model.forward(prefix, { cache, logits: "none" });
      let reuseMs = performance.now() - start;
      let noReuseMs = 0;
      for (let i = 0; i < PROMPTS; i++) {
        const suffix = benchTokens(`suffix-${i}`, SUFFIX_TOKENS, vocab);
        start = performance.now();
        await model.forward([...prefix, ...suffix]);
        noReuseMs += performance.now() - start;
        start = performance.now();
        cache.truncate(PREFIX_TOKENS);
        await model.forward(suffix, { cache });
        reuseMs += performance.now() - start;
      }
      return { noReuseMs, reuseMs };
    },
  },
  () => model.dispose(),
);
