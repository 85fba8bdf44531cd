// pnpm bench:lm — our prefill speed against llama.cpp's on the same random SmolLM2-135M-shaped
// weights, the speed-up from prefix KV reuse, and our peak RSS over the weight bytes.
// Each engine runs in its own child process (so neither one's memory or threads count against
// the other), both stay loaded, and timed prefills alternate between them, so that load from
// other processes on the machine hits both alike.
// Options: --threads N (default: all cores), --runs N (timed prefills per engine, default 11).
import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { convertToGguf } from "../src/gguf-export.js";
import { BUILTIN_MODELS } from "../src/index.js";
import { resolveBuiltin } from "../src/sources/builtin.js";
import { defaultCacheDir } from "../src/sources/cache-dir.js";
import { RemoteBenchEngine } from "./bench-engine.js";
import { median, PREFILL_TOKENS, PREFIX_TOKENS, PROMPTS, SUFFIX_TOKENS } from "./bench-workload.js";

const { values } = parseArgs({
  options: { threads: { type: "string" }, runs: { type: "string", default: "11" } },
});
const threads = Number(values.threads ?? availableParallelism());
const runs = Number(values.runs);
const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));

console.log("building builtin:random-135m (cached after the first run) ...");
const dir = await resolveBuiltin("random-135m", defaultCacheDir());
const gguf = join(dir, "model-f32.gguf");
if (!existsSync(gguf)) {
  console.log("writing it as GGUF F32 ...");
  await convertToGguf(dir, gguf, { type: "F32" });
}
const weightBytes = await safetensorsBytes(dir);
const spec = BUILTIN_MODELS["random-135m"];
const vocab = spec.vocabSize;
// Matmul work of one prefill: every layer's projections for all tokens, the LM head for the last.
const kvDim = ((spec.numKvHeads ?? spec.numHeads) * spec.hiddenSize) / spec.numHeads;
const layerWeights = spec.hiddenSize * (2 * spec.hiddenSize + 2 * kvDim + 3 * spec.intermediateSize);
const prefillFlops = 2 * (PREFILL_TOKENS * spec.numLayers * layerWeights + vocab * spec.hiddenSize);

console.log(`loading both engines (${threads} threads each) ...`);
const ours = await RemoteBenchEngine.start(script("measure-ours.ts"), [dir, String(threads)]);
const theirs = await RemoteBenchEngine.start(script("measure-llama-cpp.ts"), [
  gguf,
  String(vocab),
  String(threads),
]);

const oursMs: number[] = [];
const theirsMs: number[] = [];
for (let run = 0; run < runs; run++) {
  // Alternate which engine goes first, so neither always follows the other's cache footprint.
  if (run % 2 === 0) {
    oursMs.push(await ours.prefill());
    theirsMs.push(await theirs.prefill());
  } else {
    theirsMs.push(await theirs.prefill());
    oursMs.push(await ours.prefill());
  }
}
console.log(`prefix-reuse workload (${PROMPTS} prompts) ...`);
const reuse = await ours.prefixReuse();
const oursPeak = await ours.peakRss();
const theirsPeak = await theirs.peakRss();
await Promise.all([ours.exit(), theirs.exit()]);

// Other processes on the machine only ever add time, so each engine's fastest run is the best
// estimate of its own speed; the medians are printed beside it.
const tokS = (ms: number) => (PREFILL_TOKENS * 1000) / ms;
const oursTokS = tokS(Math.min(...oursMs));
const theirsTokS = tokS(Math.min(...theirsMs));
const ratio = oursTokS / theirsTokS;
const speedup = reuse.noReuseMs / reuse.reuseMs;
const peakOverWeights = oursPeak / weightBytes;
const list = (ms: number[]) => ms.map((v) => v.toFixed(0)).join(" ");
console.log(`weights: ${(weightBytes / 1e6).toFixed(0)} MB F32 (${dir})`);
console.log(
  `prefill ${PREFILL_TOKENS} tokens, last-token logits, ${threads} threads, ${runs} alternating runs:`,
);
console.log(
  `  ours      fastest ${oursTokS.toFixed(1)} tok/s, median ${tokS(median(oursMs)).toFixed(1)} (ms: ${list(oursMs)})`,
);
console.log(
  `  llama.cpp fastest ${theirsTokS.toFixed(1)} tok/s, median ${tokS(median(theirsMs)).toFixed(1)} (ms: ${list(theirsMs)})`,
);
console.log(
  `  ratio     ${ratio.toFixed(3)} (fastest), ${(median(theirsMs) / median(oursMs)).toFixed(3)} (median)`,
);
const gflops = (ms: number) => (prefillFlops / ms / 1e6).toFixed(1);
console.log(
  `  matmul work ${(prefillFlops / 1e9).toFixed(1)} GFLOP per prefill: the fastest runs did ` +
    `${gflops(Math.min(...oursMs))} (ours) and ${gflops(Math.min(...theirsMs))} (llama.cpp) GFLOP/s`,
);
console.log(
  `prefix reuse, ${PROMPTS} prompts of ${PREFIX_TOKENS} shared + ${SUFFIX_TOKENS} own tokens: ` +
    `${(reuse.noReuseMs / 1000).toFixed(1)} s -> ${(reuse.reuseMs / 1000).toFixed(1)} s, speed-up ${speedup.toFixed(2)}x`,
);
console.log(
  `peak RSS: ours ${(oursPeak / 1e6).toFixed(0)} MB = ${peakOverWeights.toFixed(2)}x weights ` +
    `(llama.cpp's process: ${(theirsPeak / 1e6).toFixed(0)} MB)`,
);
console.log(
  JSON.stringify({
    ours_tok_s: round(oursTokS, 1),
    llamacpp_tok_s: round(theirsTokS, 1),
    ratio: round(ratio, 3),
    prefix_reuse_speedup: round(speedup, 2),
    peak_rss_over_weights: round(peakOverWeights, 2),
  }),
);

async function safetensorsBytes(folder: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(folder))
    if (name.endsWith(".safetensors")) total += (await stat(join(folder, name))).size;
  return total;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
