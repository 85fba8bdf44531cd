// The measurement that chose how the WebAssembly matmul reads quantized weights: on Q8_0 weights,
// one thread, (a) the shipped kernel: decode a panel of 4 weight rows to F32 and run the F32 tile
// (activations stay F32), against (b) llama.cpp's way: quantize the activations per 32-value
// block to int8 and take integer dot products (assembly/matmul-int8.ts), the quantizing counted.
// Prints GFLOP/s per CPU-second for a prefill shape (64 rows) and a decode-like shape (2 rows),
// and each one's error against the F32 product on the dequantized weights.
// Run: pnpm --filter @pva/lm bench:int8 [seconds per cell]

import type { KernelExports } from "../src/kernels/kernels-wasm-module.js";
import { loadKernelsWasm } from "../src/kernels/kernels-wasm-module.js";
import { matmulReference } from "../src/kernels/matmul-reference.js";
import { WASM_WEIGHT_TYPE_IDS } from "../src/kernels/wasm-backend.js";
import { createSharedMemory, WasmHeap } from "../src/kernels/wasm-heap.js";
import { decodeRows, encodeRows } from "../src/weight-codecs/weight-codec.js";

const seconds = Number(process.argv[2] ?? 1.5);
const SHAPES = [
  { name: "135M gate/up, 64 rows", rows: 64, inDim: 576, outDim: 1536 },
  { name: "8B q/o, 64 rows", rows: 64, inDim: 4096, outDim: 1024 },
  { name: "8B down, 64 rows", rows: 64, inDim: 14336, outDim: 256 },
  { name: "135M gate/up, 2 rows", rows: 2, inDim: 576, outDim: 1536 },
  { name: "8B q/o, 2 rows", rows: 2, inDim: 4096, outDim: 4096 },
];

function timeIt(run: () => void, flops: number): number {
  run();
  let calls = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    run();
    calls++;
  }
  const used = process.cpuUsage(cpu);
  return (flops * calls) / ((used.user + used.system) / 1e6) / 1e9;
}

for (const fused of [true, false]) {
  const { module } = await loadKernelsWasm({ fused });
  const memory = createSharedMemory();
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const heap = new WasmHeap(memory, k.staticDataEnd());
  console.log(
    `${fused ? "relaxed-simd (fused multiply-add, i8 x i7 dot)" : "plain SIMD128"}, 1 thread, GFLOP/s per CPU-second:`,
  );
  for (const { name, rows, inDim, outDim } of SHAPES) {
    const values = new Float32Array(outDim * inDim).map(
      (_, i) => Math.sin(i * 0.37) * (i % 5 === 0 ? 0.01 : 1),
    );
    const rowBytes = (inDim / 32) * 34;
    const wWords = heap.allocF32(Math.ceil((outDim * rowBytes) / 4));
    const wBytes = new Uint8Array(wWords.buffer, wWords.byteOffset, outDim * rowBytes);
    encodeRows("q8_0", values, 0, outDim, inDim, wBytes, 0);
    const x = heap.allocF32(rows * inDim);
    for (let i = 0; i < x.length; i++) x[i] = Math.cos(i * 0.11);
    const out = heap.allocF32(rows * outDim);
    const panel = heap.allocF32(k.panelRows() * inDim);
    const q = heap.allocF32(Math.ceil((rows * inDim * 5) / 4) + 16);
    const at = (a: Float32Array) => heap.addressOf(a)!;
    const flops = 2 * rows * inDim * outDim;
    const typeId = WASM_WEIGHT_TYPE_IDS.q8_0!;

    const decoded = new Float32Array(outDim * inDim);
    decodeRows("q8_0", wBytes, 0, outDim, inDim, decoded);
    const want = new Float32Array(rows * outDim);
    matmulReference(want, x, decoded, rows, inDim, outDim);
    const relError = () => {
      let num = 0;
      let den = 0;
      for (let i = 0; i < want.length; i++) {
        num = Math.max(num, Math.abs(out[i] - want[i]));
        den = Math.max(den, Math.abs(want[i]));
      }
      return num / den;
    };

    const decodeTile = timeIt(
      () => k.matmulColumns(at(out), at(x), at(wWords), 0, rows, inDim, outDim, 0, outDim, typeId, at(panel)),
      flops,
    );
    const decodeError = relError();
    const int8 = timeIt(() => {
      k.quantizeRowsQ8(at(x), rows, inDim, at(q));
      k.matmulQ8_0Int(at(out), at(q), at(wWords), rows, inDim, outDim);
    }, flops);
    const int8Error = relError();
    console.log(
      `  ${name.padEnd(22)} decode-to-f32 panel ${decodeTile.toFixed(1).padStart(5)} | int8 activations ${int8
        .toFixed(1)
        .padStart(
          5,
        )} | int8/decode ${(int8 / decodeTile).toFixed(2)} | max error / max |out|: ${decodeError.toExponential(1)} vs ${int8Error.toExponential(1)}`,
    );
    for (const a of [wWords, x, out, panel, q]) heap.free(a);
  }
}
