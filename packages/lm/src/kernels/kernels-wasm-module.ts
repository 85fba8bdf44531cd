import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { PvaError } from "@pva/core";

/** The exports of assembly/kernels.ts (addresses are byte offsets into the shared memory). */
export interface KernelExports {
  staticDataEnd(): number;
  matmulColumns(
    out: number,
    x: number,
    w: number,
    bias: number,
    rows: number,
    inDim: number,
    outDim: number,
    oStart: number,
    oEnd: number,
    wType: number,
    panel: number,
  ): void;
  /** Decodes `count` stored rows of `cols` values (each `rowBytes` long) at `src` to F32 at `dst`. */
  decodeRows(type: number, src: number, rowBytes: number, count: number, cols: number, dst: number): void;
  panelRows(): number;
  /** The measured alternative for Q8_0 (assembly/matmul-int8.ts): activations quantized per block. */
  quantizeRowsQ8(x: number, rows: number, inDim: number, q: number): void;
  matmulQ8_0Int(out: number, q: number, w: number, rows: number, inDim: number, outDim: number): void;
  attentionRows(
    out: number,
    q: number,
    keys: number,
    values: number,
    tokens: number,
    start: number,
    numHeads: number,
    numKvHeads: number,
    headDim: number,
    first: number,
    end: number,
  ): void;
  postMatmul(
    control: number,
    out: number,
    x: number,
    w: number,
    bias: number,
    rows: number,
    inDim: number,
    outDim: number,
    chunk: number,
    wType: number,
    scratch: number,
    scratchStride: number,
  ): void;
  postAttention(
    control: number,
    out: number,
    q: number,
    keys: number,
    values: number,
    tokens: number,
    start: number,
    numHeads: number,
    numKvHeads: number,
    headDim: number,
    chunk: number,
  ): void;
  postQuit(control: number): void;
  postSiluMul(control: number, gate: number, up: number, length: number, chunk: number): void;
  siluMul(gate: number, up: number, length: number): void;
  workOnJob(control: number, generation: number, thread: number): void;
  currentGeneration(control: number): number;
  workerStep(control: number, seen: number, thread: number): number;
  waitForJob(control: number): void;
}

export interface KernelsWasmModule {
  module: WebAssembly.Module;
  /** Whether the module uses relaxed-simd fused multiply-add (else f32x4 mul then add). */
  fused: boolean;
}

/**
 * Compiles the kernels that `assembly/build.mjs` put in dist/. Prefers the fused multiply-add
 * build: Node 22+ runs it as is; Node 20's V8 has relaxed-simd behind a flag, which we switch on
 * (it only adds instructions to the validator, and was measured 1.3x faster here).
 */
export async function loadKernelsWasm(opts: { fused?: boolean } = {}): Promise<KernelsWasmModule> {
  const wantFused = opts.fused ?? true;
  if (wantFused) {
    const bytes = await readBuilt("kernels-relaxed.wasm");
    if (!WebAssembly.validate(bytes)) setFlagsFromString("--experimental-wasm-relaxed-simd");
    if (WebAssembly.validate(bytes)) return { module: await WebAssembly.compile(bytes), fused: true };
  }
  return { module: await WebAssembly.compile(await readBuilt("kernels-simd.wasm")), fused: false };
}

/** Works from src/ (tests) and dist/ (the bundle) alike: both sit under the package root. */
async function readBuilt(file: string): Promise<Uint8Array> {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const path = join(dir, "dist", file);
  if (!existsSync(path))
    throw new PvaError(
      `${path}: missing; build @pva/lm first (pnpm build), it compiles assembly/`,
      "E_BUILD",
    );
  return new Uint8Array(await readFile(path));
}
