// Child process of lm.bench.ts: llama.cpp's prefill speed on the same weights (GGUF F32) with
// the same thread count, at its default context settings, computing the last token's logits
// only (it samples one token from them). Args: <gguf file> <vocab size> <threads> <runs>.
import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";
import { benchTokens, type ChildReport, median, PREFILL_TOKENS, peakRssBytes } from "./bench-workload.js";

const [file, vocabArg, threadsArg, runsArg] = process.argv.slice(2);
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: file });
const context = await model.createContext({ contextSize: 512, threads: Number(threadsArg) });
const sequence = context.getSequence();
const prompt = benchTokens("prefill", PREFILL_TOKENS, Number(vocabArg)) as Token[];
const lastOnly = (tokens: Token[]) =>
  tokens.map((t, i): [Token, { generateNext?: { token: true } }] =>
    i === tokens.length - 1 ? [t, { generateNext: { token: true } }] : [t, {}],
  );

async function prefill(): Promise<number> {
  await sequence.clearHistory();
  const start = performance.now();
  await sequence.controlledEvaluate(lastOnly(prompt));
  return performance.now() - start;
}

await prefill(); // warm-up
const runsMs: number[] = [];
for (let run = 0; run < Number(runsArg); run++) runsMs.push(await prefill());
const report: ChildReport = {
  tokS: (PREFILL_TOKENS * 1000) / median(runsMs),
  runsMs,
  peakRssBytes: await peakRssBytes(),
};
await context.dispose();
await model.dispose();
console.log(JSON.stringify(report));
