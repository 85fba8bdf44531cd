// Kernel-only benchmark: GFLOP/s of each matmul backend on the matmuls of one SmolLM2-135M
// layer (hidden 576, 3 KV heads of 64, MLP 1536) for a 64-token prompt, plus the last-token
// lm head. Run: pnpm --filter @pva/lm bench:matmul [threads] [variant filter]
// Prints GFLOP/s over wall time and over CPU time (all threads): on a machine shared with other
// work the second is the stable one, and wall/CPU shows how well the threads overlapped.
import { type ComputeBackend, createComputeBackend, createWasmBackend } from "../src/kernels/index.js";
import { f32WeightMatrix } from "../src/kernels/weight-matrix.js";

const ROWS = 64;
const LAYER_SHAPES: readonly { name: string; rows: number; inDim: number; outDim: number }[] = [
  { name: "q/o proj", rows: ROWS, inDim: 576, outDim: 576 },
  { name: "k/v proj", rows: ROWS, inDim: 576, outDim: 192 },
  { name: "gate/up", rows: ROWS, inDim: 576, outDim: 1536 },
  { name: "down", rows: ROWS, inDim: 1536, outDim: 576 },
  { name: "lm head, last token", rows: 1, inDim: 576, outDim: 49152 },
  { name: "decode gate/up", rows: 1, inDim: 576, outDim: 1536 },
];

async function gflops(
  backend: ComputeBackend,
  shape: (typeof LAYER_SHAPES)[number],
  seconds: number,
): Promise<{ wall: number; cpu: number }> {
  const { rows, inDim, outDim } = shape;
  // Several weight matrices in turn, like successive layers, so weights are not all cache-hot.
  const copies = Math.max(1, Math.min(30, Math.floor(64e6 / (inDim * outDim * 4))));
  const x = backend.allocF32(rows * inDim).map((_, i) => Math.sin(i));
  const ws = Array.from({ length: copies }, (_, k) =>
    backend.allocF32(inDim * outDim).map((_, i) => Math.cos(i + k)),
  );
  const out = backend.allocF32(rows * outDim);
  let calls = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await backend.matmul(out, x, f32WeightMatrix(ws[calls % copies], outDim, inDim), rows);
    calls++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const flops = 2 * rows * inDim * outDim * calls;
  return { wall: flops / elapsed / 1e9, cpu: flops / ((cpu.user + cpu.system) / 1e6) / 1e9 };
}

const threads = Number(process.argv[2] ?? 2);
const only = process.argv[3];
const variants: { name: string; create: () => Promise<ComputeBackend> }[] = [
  { name: "js reference, 1 thread", create: () => createComputeBackend({ kind: "js" }) },
  { name: "wasm simd mul+add, 1 thread", create: () => createWasmBackend({ threads: 1, fused: false }) },
  { name: "wasm relaxed fma, 1 thread", create: () => createWasmBackend({ threads: 1, fused: true }) },
  {
    name: `wasm simd mul+add, ${threads} threads`,
    create: () => createWasmBackend({ threads, fused: false }),
  },
  { name: `wasm relaxed fma, ${threads} threads`, create: () => createWasmBackend({ threads, fused: true }) },
];
for (const variant of variants.filter((v) => !only || v.name.includes(only))) {
  const backend = await variant.create();
  const cells: string[] = [];
  for (const shape of LAYER_SHAPES) {
    const seconds = variant.name.startsWith("js") ? 0.5 : 1;
    const { wall, cpu } = await gflops(backend, shape, seconds);
    cells.push(`${shape.name} ${wall.toFixed(1)} (${cpu.toFixed(1)}/cpu-s)`);
  }
  console.log(`${variant.name.padEnd(34)} GFLOP/s: ${cells.join(" | ")}`);
  await backend.dispose();
}
