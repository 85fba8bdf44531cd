// Child process of lm-8b.bench.ts: our runtime on one GGUF file. Args: <gguf file> <threads> <decode tokens>.
// Alone in its process, so its peak RSS is ours alone.
import { loadModel } from "../src/index.js";
import { serveBenchEngine } from "./bench-engine.js";
import { benchTokens, PREFILL_TOKENS } from "./bench-workload.js";

const [file, threads, decodeTokens] = process.argv.slice(2);
const loadStart = performance.now();
const model = await loadModel(file, { threads: Number(threads) });
const loadMs = performance.now() - loadStart;
const vocab = model.config.vocabSize;
const prompt = benchTokens("prefill", PREFILL_TOKENS, vocab);
await model.forward(prompt, { logits: "last" }); // warm-up: JIT, scratch buffers, worker threads

serveBenchEngine(
  {
    async prefill() {
      const start = performance.now();
      await model.forward(prompt, { logits: "last" });
      return performance.now() - start;
    },
    // Greedy decoding after the prompt: one token per forward over the KV cache; the time of the
    // single-token passes only.
    async decode() {
      const cache = model.createCache();
      const first = await model.forward(prompt, { cache, logits: "last" });
      let next = argmax(first.logits!);
      const start = performance.now();
      for (let i = 0; i < Number(decodeTokens); i++) {
        const { logits } = await model.forward([next], { cache, logits: "last" });
        next = argmax(logits!);
      }
      return performance.now() - start;
    },
    async loadMs() {
      return loadMs;
    },
  },
  () => model.dispose(),
);

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
