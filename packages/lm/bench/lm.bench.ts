// pnpm bench:lm — our prefill speed against llama.cpp's on the same random SmolLM2-135M-shaped
// weights, the speed-up from prefix KV reuse, and our peak RSS over the weight bytes.
// Each engine runs in its own child process, so neither one's memory or threads affect the other.
// Options: --threads N (default: all cores), --runs N (timed prefills per engine, default 7).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { convertToGguf } from "../src/gguf-export.js";
import { BUILTIN_MODELS } from "../src/index.js";
import { resolveBuiltin } from "../src/sources/builtin.js";
import { defaultCacheDir } from "../src/sources/cache-dir.js";
import { type ChildReport, PREFILL_TOKENS, PREFIX_TOKENS, PROMPTS, SUFFIX_TOKENS } from "./bench-workload.js";

const { values } = parseArgs({
  options: { threads: { type: "string" }, runs: { type: "string", default: "7" } },
});
const threads = Number(values.threads ?? availableParallelism());
const runs = Number(values.runs);
const benchDir = fileURLToPath(new URL(".", import.meta.url));

console.log("building builtin:random-135m (cached after the first run) ...");
const dir = await resolveBuiltin("random-135m", defaultCacheDir());
const gguf = join(dir, "model-f32.gguf");
if (!existsSync(gguf)) {
  console.log("writing it as GGUF F32 ...");
  await convertToGguf(dir, gguf, { type: "F32" });
}
const weightBytes = await safetensorsBytes(dir);
const spec = BUILTIN_MODELS["random-135m"];

console.log(`measuring ours (${threads} threads) ...`);
const ours = await runChild("measure-ours.ts", [dir, String(threads), String(runs)]);
console.log(`measuring llama.cpp (${threads} threads) ...`);
const theirs = await runChild("measure-llama-cpp.ts", [
  gguf,
  String(spec.vocabSize),
  String(threads),
  String(runs),
]);

const ratio = ours.tokS / theirs.tokS;
const peakRssOverWeights = ours.peakRssBytes! / weightBytes;
const fmtRuns = (r: ChildReport) => r.runsMs.map((ms) => ms.toFixed(0)).join(" ");
console.log(`weights: ${(weightBytes / 1e6).toFixed(0)} MB F32 (${dir})`);
console.log(`prefill ${PREFILL_TOKENS} tokens, last-token logits, ${threads} threads, median of ${runs}:`);
console.log(`  ours      ${ours.tokS.toFixed(1)} tok/s (ms: ${fmtRuns(ours)})`);
console.log(`  llama.cpp ${theirs.tokS.toFixed(1)} tok/s (ms: ${fmtRuns(theirs)})`);
console.log(`  ratio     ${ratio.toFixed(3)}`);
console.log(
  `prefix reuse, ${PROMPTS} prompts of ${PREFIX_TOKENS} shared + ${SUFFIX_TOKENS} own tokens: ` +
    `${(ours.noReuseMs! / 1000).toFixed(1)} s -> ${(ours.reuseMs! / 1000).toFixed(1)} s, ` +
    `speed-up ${ours.prefixReuseSpeedup!.toFixed(2)}x`,
);
console.log(
  `peak RSS: ours ${(ours.peakRssBytes! / 1e6).toFixed(0)} MB = ${peakRssOverWeights.toFixed(2)}x weights ` +
    `(llama.cpp's process: ${(theirs.peakRssBytes! / 1e6).toFixed(0)} MB)`,
);
console.log(
  JSON.stringify({
    ours_tok_s: round(ours.tokS, 1),
    llamacpp_tok_s: round(theirs.tokS, 1),
    ratio: round(ratio, 3),
    prefix_reuse_speedup: round(ours.prefixReuseSpeedup!, 2),
    peak_rss_over_weights: round(peakRssOverWeights, 2),
  }),
);

async function runChild(script: string, args: string[]): Promise<ChildReport> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", join(benchDir, script), ...args],
    {
      maxBuffer: 1 << 24,
    },
  );
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as ChildReport;
}

async function safetensorsBytes(folder: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(folder))
    if (name.endsWith(".safetensors")) total += (await stat(join(folder, name))).size;
  return total;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
