// pnpm bench:lm-8b — our runtime against llama.cpp on a random model of Llama-3.1-8B's shape,
// stored as Q4_K_M and as Q8_0 (each written once into the model cache by writeRandomGguf).
// Per file: prefill of a 64-token prompt (tok/s, fastest of --runs) and greedy decode (tok/s over
// --decode tokens after that prompt), both engines with the same thread count; our load time
// beside the time to read the file once; our peak RSS over the file's size. Each engine runs in
// its own child process, one after the other (two 8B models at once would not fit beside the
// other work on a small machine), so RSS is each one's alone.
// Options: --threads N (default: all cores), --runs N (default 3), --decode N (default 16),
// --types q4_K_M,q8_0, --shape 8b|3b|1b|tiny (Llama-3.2-3B's and -1B's shapes; tiny checks the bench).
import { open, stat } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LLAMA_3_1_8B_SHAPE, type RandomCheckpointSpec, randomGgufInCache } from "../src/index.js";
import { defaultCacheDir } from "../src/sources/cache-dir.js";
import { RemoteBenchEngine } from "./bench-engine.js";
import { median, PREFILL_TOKENS } from "./bench-workload.js";

const SHAPES: Record<string, { name: string; spec: RandomCheckpointSpec }> = {
  "8b": { name: "llama-3.1-8b", spec: LLAMA_3_1_8B_SHAPE },
  // Llama-3.2-3B-Instruct's config.json.
  "3b": {
    name: "llama-3.2-3b",
    spec: {
      ...LLAMA_3_1_8B_SHAPE,
      hiddenSize: 3072,
      numLayers: 28,
      numHeads: 24,
      numKvHeads: 8,
      intermediateSize: 8192,
      ropeScaling: { factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
      tieWordEmbeddings: true,
      seed: "random-llama-3.2-3b",
    },
  },
  // Llama-3.2-1B-Instruct's config.json.
  "1b": {
    name: "llama-3.2-1b",
    spec: {
      ...LLAMA_3_1_8B_SHAPE,
      hiddenSize: 2048,
      numLayers: 16,
      numHeads: 32,
      numKvHeads: 8,
      intermediateSize: 8192,
      ropeScaling: { factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
      tieWordEmbeddings: true,
      seed: "random-llama-3.2-1b",
    },
  },
  // Seconds to write and run: for checking the bench itself.
  tiny: {
    name: "bench-tiny",
    spec: {
      ...LLAMA_3_1_8B_SHAPE,
      hiddenSize: 256,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
      intermediateSize: 512,
      vocabSize: 1024,
      seed: "random-bench-tiny",
    },
  },
};

const { values } = parseArgs({
  options: {
    threads: { type: "string" },
    runs: { type: "string", default: "3" },
    decode: { type: "string", default: "16" },
    types: { type: "string", default: "q4_K_M,q8_0" },
    shape: { type: "string", default: "8b" },
  },
});
const threads = Number(values.threads ?? availableParallelism());
const runs = Number(values.runs);
const decodeTokens = Number(values.decode);
const shape = SHAPES[values.shape];
if (!shape) throw new Error(`--shape: one of ${Object.keys(SHAPES).join(", ")}`);
const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const load = () =>
  loadavg()
    .map((v) => v.toFixed(1))
    .join(" ");
const tokS = (tokens: number, ms: number) => (tokens * 1000) / ms;
const round = (value: number, digits: number) => Number(value.toFixed(digits));

const summary: Record<string, Record<string, number>> = {};
for (const type of values.types.split(",")) {
  const file = await randomGgufInCache(shape.name, shape.spec, defaultCacheDir(), {
    type: type as "q8_0",
    threads,
    onProgress: progressLine(`writing random ${shape.name} ${type}`),
  });
  const fileBytes = (await stat(file)).size;
  console.log(
    `\n${shape.name} ${type}: ${file} (${(fileBytes / 1e9).toFixed(2)} GB), load average ${load()}`,
  );
  const readMs = await readOnce(file);
  console.log(
    `  read once: ${(readMs / 1000).toFixed(1)} s (${(fileBytes / 1e6 / (readMs / 1000)).toFixed(0)} MB/s)`,
  );

  const ours = await measure("measure-ours-8b.ts", [file, String(threads), String(decodeTokens)]);
  const theirs = await measure("measure-llama-cpp-8b.ts", [
    file,
    String(shape.spec.vocabSize),
    String(threads),
    String(decodeTokens),
  ]);
  const ratio = ours.prefillTokS / theirs.prefillTokS;
  const rssOverFile = ours.peakRss / fileBytes;
  const list = (ms: number[]) => ms.map((v) => (v / 1000).toFixed(1)).join(" ");
  console.log(`  prefill ${PREFILL_TOKENS} tokens, ${threads} threads, fastest of ${runs} (s: each run):`);
  console.log(`    ours      ${ours.prefillTokS.toFixed(2)} tok/s (${list(ours.prefillMs)})`);
  console.log(`    llama.cpp ${theirs.prefillTokS.toFixed(2)} tok/s (${list(theirs.prefillMs)})`);
  console.log(`    ratio     ${ratio.toFixed(3)}`);
  console.log(
    `  decode ${decodeTokens} tokens: ours ${ours.decodeTokS.toFixed(2)} tok/s, llama.cpp ${theirs.decodeTokS.toFixed(2)} tok/s, ratio ${(ours.decodeTokS / theirs.decodeTokS).toFixed(3)}`,
  );
  console.log(
    `  load: ours ${(ours.loadMs / 1000).toFixed(1)} s (read once ${(readMs / 1000).toFixed(1)} s, ${(ours.loadMs / readMs).toFixed(2)}x), llama.cpp ${(theirs.loadMs / 1000).toFixed(1)} s (mmap)`,
  );
  console.log(
    `  peak RSS: ours ${(ours.peakRss / 1e9).toFixed(2)} GB = ${rssOverFile.toFixed(2)}x the file (llama.cpp's process ${(theirs.peakRss / 1e9).toFixed(2)} GB)`,
  );
  console.log(`  load average after: ${load()}`);
  summary[type.toLowerCase()] = {
    ours_tok_s: round(ours.prefillTokS, 2),
    llamacpp_tok_s: round(theirs.prefillTokS, 2),
    ratio: round(ratio, 3),
    peak_rss_over_file: round(rssOverFile, 2),
  };
}
console.log(JSON.stringify(summary));

/** One engine in its own process: load, prefills, a decode, its peak RSS. */
async function measure(child: string, args: string[]) {
  const engine = await RemoteBenchEngine.start(script(child), args);
  const prefillMs: number[] = [];
  for (let run = 0; run < runs; run++) prefillMs.push(await engine.prefill());
  const decodeMs = await engine.decode();
  const loadMs = await engine.loadMs();
  const peakRss = await engine.peakRss();
  await engine.exit();
  return {
    prefillMs,
    prefillTokS: tokS(PREFILL_TOKENS, Math.min(...prefillMs)),
    prefillMedianTokS: tokS(PREFILL_TOKENS, median(prefillMs)),
    decodeTokS: tokS(decodeTokens, decodeMs),
    loadMs,
    peakRss,
  };
}

/** Reads the whole file once in 16 MiB steps; its wall time. */
async function readOnce(file: string): Promise<number> {
  const handle = await open(file, "r");
  const buffer = Buffer.alloc(1 << 24);
  const start = performance.now();
  try {
    while ((await handle.read(buffer, 0, buffer.length, null)).bytesRead > 0);
  } finally {
    await handle.close();
  }
  return performance.now() - start;
}

/** A progress reporter: one line rewritten in a terminal, else a line every 5%. */
function progressLine(what: string) {
  const start = performance.now();
  let printed = -1;
  return ({ loaded, total }: { loaded: number; total: number }) => {
    const fraction = loaded / total;
    const seconds = (performance.now() - start) / 1000;
    const eta = fraction > 0 ? (seconds / fraction) * (1 - fraction) : Number.NaN;
    const line = `${what}: ${(100 * fraction).toFixed(1)}% (${(loaded / 1e9).toFixed(2)} of ${(total / 1e9).toFixed(2)} GB), ${seconds.toFixed(0)} s, about ${eta.toFixed(0)} s left`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line}${fraction >= 1 ? "\n" : ""}`);
    else if (Math.floor(fraction * 20) > printed) {
      printed = Math.floor(fraction * 20);
      console.log(line);
    }
  };
}
