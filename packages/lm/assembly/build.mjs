// Compiles assembly/kernels.ts to WebAssembly with AssemblyScript (a devDependency), twice:
// dist/kernels-relaxed.wasm uses relaxed-simd fused multiply-add (Node 22+, or Node 20 with the
// V8 flag the backend sets), dist/kernels-simd.wasm plain SIMD128 for engines without it.
// Runs after tsup (which leaves *.wasm in place when it cleans dist/), so both land beside the bundle.
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const common = [
  "assembly/kernels.ts",
  "--optimizeLevel",
  "3",
  "--shrinkLevel",
  "0",
  "--noAssert",
  "--runtime",
  "stub",
  "--enable",
  "simd",
  "--enable",
  "threads",
  "--importMemory",
  "--sharedMemory",
  "--noExportMemory",
  "--initialMemory",
  "1",
  "--maximumMemory",
  "65536",
];

process.chdir(packageRoot);
await mkdir("dist", { recursive: true });
for (const [file, extra] of [
  ["dist/kernels-relaxed.wasm", ["--enable", "relaxed-simd"]],
  ["dist/kernels-simd.wasm", []],
]) {
  const { error, stderr } = await asc.main([...common, ...extra, "--outFile", file]);
  if (error) {
    process.stderr.write(stderr.toString());
    throw new Error(`assembly/build.mjs: compiling ${file} failed: ${error.message}`);
  }
}

// The quantizer's scale search (src/weight-codecs/k-quant-search.ts loads it): scalar float32,
// its own small memory, one instance per thread.
const kQuant = "dist/k-quant-search.wasm";
const { error, stderr } = await asc.main([
  "assembly/k-quant-search.ts",
  "--optimizeLevel",
  "3",
  "--shrinkLevel",
  "0",
  "--noAssert",
  "--runtime",
  "stub",
  "--outFile",
  kQuant,
]);
if (error) {
  process.stderr.write(stderr.toString());
  throw new Error(`assembly/build.mjs: compiling ${kQuant} failed: ${error.message}`);
}
