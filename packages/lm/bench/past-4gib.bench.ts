// Loads and runs a model whose weights exceed one wasm32 memory (4 GiB), and prints what it took:
// load time, WebAssembly memories opened, peak RSS, prefill and decode speed. With --write it
// first writes a random F32 Llama of about 1.2B parameters (4.8 GB, streamed a tensor at a time)
// to the given folder. Usage:
//   tsx bench/past-4gib.bench.ts <model folder or .gguf> [--write] [threads]
import { stat } from "node:fs/promises";
import { createWasmBackend } from "../src/kernels/index.js";
import { loadModelOn } from "../src/load.js";
import { writeRandomCheckpoint } from "../src/random-checkpoint.js";
import { benchTokens, PREFILL_TOKENS, peakRssBytes } from "./bench-workload.js";

const args = process.argv.slice(2);
const write = args.includes("--write");
const [source, threadArg] = args.filter((a) => a !== "--write");
if (!source) {
  console.error("pva: usage: tsx bench/past-4gib.bench.ts <model folder or .gguf> [--write] [threads]");
  process.exit(2);
}
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

if (write) {
  const start = performance.now();
  // TinyLlama's shape with 24 layers: 1.21B parameters, 4.84 GB as F32, past wasm32's 4.29 GB.
  await writeRandomCheckpoint(source, {
    architecture: "llama",
    hiddenSize: 2048,
    numLayers: 24,
    numHeads: 16,
    numKvHeads: 4,
    intermediateSize: 5632,
    vocabSize: 32000,
    maxPositions: 2048,
    tieWordEmbeddings: false,
    seed: "past-4gib",
  });
  console.log(`wrote ${source} in ${((performance.now() - start) / 1000).toFixed(0)} s`);
}
const exists = await stat(source).then(
  () => true,
  () => false,
);
if (!exists) {
  console.error(`pva: ${source}: no such model folder or file (pass --write to create a random one)`);
  process.exit(2);
}

const backend = await createWasmBackend({ threads: threadArg ? Number(threadArg) : undefined });
let start = performance.now();
const model = await loadModelOn(backend, source);
const loadS = (performance.now() - start) / 1000;
console.log(
  `loaded ${source}: ${gb(model.footprint.memoryBytes)} of weights (${Object.entries(
    model.footprint.memoryTypes,
  )
    .map(([type, n]) => `${type} ${(n / 1e9).toFixed(2)}B`)
    .join(
      ", ",
    )}) in ${loadS.toFixed(1)} s, ${backend.memories} WebAssembly memories, ${backend.threads} threads`,
);

const vocab = model.config.vocabSize;
const prompt = benchTokens("prefill", PREFILL_TOKENS, vocab);
start = performance.now();
const first = await model.forward(prompt, { logits: "last" });
const prefillS = (performance.now() - start) / 1000;
if (!first.logits.every(Number.isFinite)) throw new Error("non-finite logits");
const cache = model.createCache();
await model.forward(prompt.slice(0, 16), { cache });
const decode = benchTokens("decode", 8, vocab);
start = performance.now();
for (const token of decode) await model.forward([token], { cache });
const decodeS = (performance.now() - start) / 1000;
console.log(
  `prefill ${PREFILL_TOKENS} tokens: ${prefillS.toFixed(1)} s (${(PREFILL_TOKENS / prefillS).toFixed(1)} tok/s); decode: ${(decode.length / decodeS).toFixed(2)} tok/s; peak RSS ${gb(await peakRssBytes())} (${((await peakRssBytes()) / model.footprint.memoryBytes).toFixed(2)}x the weights)`,
);
await model.dispose();
