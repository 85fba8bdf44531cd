// Child process of lm-8b.bench.ts: llama.cpp (node-llama-cpp) on the same GGUF file, with the
// same thread count, at its default settings but a 512-token context (its default would size
// the KV cache for the model's 131072 positions). Args: <gguf file> <vocab size> <threads> <decode tokens>.
import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";
import { serveBenchEngine } from "./bench-engine.js";
import { benchTokens, PREFILL_TOKENS } from "./bench-workload.js";

const [file, vocab, threads, decodeTokens] = process.argv.slice(2);
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const loadStart = performance.now();
const model = await llama.loadModel({ modelPath: file });
const context = await model.createContext({ contextSize: 512, threads: Number(threads) });
const loadMs = performance.now() - loadStart;
const sequence = context.getSequence();
const prompt = benchTokens("prefill", PREFILL_TOKENS, Number(vocab)) as Token[];
const lastOnly = prompt.map((t, i): [Token, { generateNext?: { token: true } }] =>
  i === prompt.length - 1 ? [t, { generateNext: { token: true } }] : [t, {}],
);

async function prefill(): Promise<number> {
  await sequence.clearHistory();
  const start = performance.now();
  await sequence.controlledEvaluate(lastOnly);
  return performance.now() - start;
}

// Greedy decoding after the prompt, one token per evaluation; the time of those evaluations only.
async function decode(): Promise<number> {
  await sequence.clearHistory();
  const first = await sequence.controlledEvaluate(lastOnly);
  let next = first.at(-1)?.next?.token as Token;
  const start = performance.now();
  for (let i = 0; i < Number(decodeTokens); i++) {
    const out = await sequence.controlledEvaluate([[next, { generateNext: { token: true } }]]);
    next = out.at(-1)?.next?.token as Token;
  }
  return performance.now() - start;
}

await prefill(); // warm-up
serveBenchEngine({ prefill, decode, loadMs: async () => loadMs }, async () => {
  await context.dispose();
  await model.dispose();
});
