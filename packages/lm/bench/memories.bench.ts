// What spreading a model over several WebAssembly memories costs (see "Weights past 4 GiB" in the
// README): the same model loaded into 1, 2, 4 and 8 memories (createWasmBackend's bytesPerMemory
// set to a share of its weights), timed on a 64-token prefill and on single-token decoding after a
// 16-token prefix, alternating the loads run by run and rating each by its fastest run (other work
// on the machine only adds time). Each pass is timed in wall time and in the process's CPU time
// (user + system, worker threads included), which passing load on a busy machine disturbs far
// less; with one thread (no workers spinning) CPU time is the work itself. Also the memory each
// load added to the process's RSS.
// Usage: tsx bench/memories.bench.ts [model source (default builtin:random-135m)] [threads] [runs]
import { createWasmBackend } from "../src/kernels/index.js";
import { loadModelOn, type Model } from "../src/load.js";
import { benchTokens, PREFILL_TOKENS } from "./bench-workload.js";

const [source = "builtin:random-135m", threadArg, runsArg] = process.argv.slice(2);
const threads = threadArg ? Number(threadArg) : undefined;
const runs = Number(runsArg ?? 7);
const DECODE_PREFIX = 16;
const DECODE_TOKENS = 16;

interface Load {
  wanted: number;
  memories: number;
  model: Model;
  rssBytes: number;
  prefillMs: number;
  decodeMs: number;
  prefillCpuMs: number;
  decodeCpuMs: number;
}

const loads: Load[] = [];
let weightBytes = 0;
for (const wanted of [1, 2, 4, 8]) {
  const rssBefore = process.memoryUsage().rss;
  const bytesPerMemory = wanted === 1 ? undefined : Math.ceil(weightBytes / wanted);
  const backend = await createWasmBackend({ threads, bytesPerMemory });
  const model = await loadModelOn(backend, source);
  weightBytes = model.footprint.memoryBytes;
  const prompt = benchTokens("prefill", PREFILL_TOKENS, model.config.vocabSize);
  await model.forward(prompt); // warm-up: JIT, scratch buffers, worker threads
  const rssBytes = process.memoryUsage().rss - rssBefore;
  loads.push({
    wanted,
    memories: backend.memories,
    model,
    rssBytes,
    prefillMs: Infinity,
    decodeMs: Infinity,
    prefillCpuMs: Infinity,
    decodeCpuMs: Infinity,
  });
}

for (let run = 0; run < runs; run++) {
  for (const load of loads) {
    const { model } = load;
    const vocab = model.config.vocabSize;
    const prompt = benchTokens("prefill", PREFILL_TOKENS, vocab);
    let start = performance.now();
    let cpu = process.cpuUsage();
    await model.forward(prompt, { logits: "last" });
    load.prefillMs = Math.min(load.prefillMs, performance.now() - start);
    load.prefillCpuMs = Math.min(load.prefillCpuMs, cpuMs(process.cpuUsage(cpu)));
    const cache = model.createCache();
    await model.forward(prompt.slice(0, DECODE_PREFIX), { cache });
    const next = benchTokens("decode", DECODE_TOKENS, vocab);
    start = performance.now();
    cpu = process.cpuUsage();
    for (const token of next) await model.forward([token], { cache });
    load.decodeMs = Math.min(load.decodeMs, (performance.now() - start) / DECODE_TOKENS);
    load.decodeCpuMs = Math.min(load.decodeCpuMs, cpuMs(process.cpuUsage(cpu)) / DECODE_TOKENS);
  }
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

const [base] = loads;
console.log(
  `${source}: ${(weightBytes / 2 ** 20).toFixed(0)} MiB of weights, ${loads[0].model.config.numLayers} layers, fastest of ${runs} runs`,
);
console.log(
  "memories | prefill 64 tok: wall ms, vs 1, CPU ms, vs 1 | decode per token: wall ms, vs 1, CPU ms, vs 1 | RSS added by the load (MiB)",
);
for (const load of loads) {
  const ratio = (a: number, b: number) => `${((a / b - 1) * 100).toFixed(1)}%`;
  console.log(
    [
      load.memories,
      load.prefillMs.toFixed(1),
      ratio(load.prefillMs, base.prefillMs),
      load.prefillCpuMs.toFixed(1),
      ratio(load.prefillCpuMs, base.prefillCpuMs),
      load.decodeMs.toFixed(2),
      ratio(load.decodeMs, base.decodeMs),
      load.decodeCpuMs.toFixed(2),
      ratio(load.decodeCpuMs, base.decodeCpuMs),
      (load.rssBytes / 2 ** 20).toFixed(0),
    ].join(" | "),
  );
}
for (const load of loads) await load.model.dispose();
