// Child process of lm.bench.ts: llama.cpp (node-llama-cpp) on the same weights as GGUF F32, with
// the same thread count, at its default context settings, computing the last token's logits only
// (it samples one token from them). Args: <gguf file> <vocab size> <threads>.
import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";
import { serveBenchEngine } from "./bench-engine.js";
import { benchTokens, PREFILL_TOKENS } from "./bench-workload.js";

const [file, vocab, threads] = process.argv.slice(2);
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: file });
const context = await model.createContext({ contextSize: 512, threads: Number(threads) });
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

await prefill(); // warm-up
serveBenchEngine({ prefill }, async () => {
  await context.dispose();
  await model.dispose();
});
