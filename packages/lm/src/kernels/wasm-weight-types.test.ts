import { afterAll, describe, expect, it } from "vitest";
import { decodeMatrixRows, encodeRows } from "../weight-codecs/weight-codec.js";
import type { ComputeBackend } from "./compute-backend.js";
import { createComputeBackend, createWasmBackend, type WasmBackend } from "./index.js";
import { filledF32 } from "./kernel-test-cases.js";
import { WEIGHT_TYPE_LAYOUT, type WeightMatrix, type WeightType } from "./weight-matrix.js";

/**
 * The WebAssembly matmul on weights kept in their stored type, against the plain-TS reference
 * backend (which decodes the same bytes with the TypeScript codecs and sums in float64).
 *
 * The kernel decodes each weight to the float32 value the codec gives (bit for bit: checked
 * first, through an identity product) and keeps activations in float32, so the two backends
 * compute the same sum of the same n = inDim products x_i * w_i and differ only by rounding:
 * - wasm: each of the 4 SIMD lanes accumulates n/4 products (a rounding for the product and one
 *   for the add, or one for a fused multiply-add), so by the standard dot-product bound
 *   (Higham, Accuracy and Stability, 3.1) each lane is within gamma(n/4) = (n/4) u / (1 - (n/4) u)
 *   of its exact sum, relative to the sum of the |x_i w_i| it adds; the horizontal sum of the four
 *   lanes (two levels of adds), the scalar tail (inDim % 4 products) and the bias add add at most
 *   4 more roundings: gamma(n/4 + 4 + 1), u = 2^-24.
 * - js: the products and sums in float64 (error below 2^-53 n, negligible here), then one
 *   rounding to float32: u |result|.
 * So |wasm - js| <= (ceil(n/4) + 6) u (sum |x_i w_i| + |bias|), with 1 to spare for the
 * 1 / (1 - k u) factor at these sizes. Q4_K and Q5_K weights may differ from the codec's in their
 * last bit (it rounds a double difference of two floats to float32, the kernel subtracts in
 * float32), one more u of each |x_i w_i|: the bound used is (ceil(n/4) + 8) u for every type.
 */
const U = 2 ** -24;

const TYPES: readonly WeightType[] = ["f16", "bf16", "q8_0", "q4_0", "q4_k", "q5_k", "q6_k"];

/** Shapes hitting the tiles' tails (rows not a multiple of 4, odd column counts, panels cut short). */
const SHAPES: readonly { rows: number; blocks: number; outDim: number }[] = [
  { rows: 1, blocks: 1, outDim: 1 },
  { rows: 1, blocks: 3, outDim: 67 },
  { rows: 3, blocks: 2, outDim: 5 },
  { rows: 5, blocks: 1, outDim: 19 },
  { rows: 17, blocks: 2, outDim: 40 },
  { rows: 64, blocks: 4, outDim: 130 },
];

const created: ComputeBackend[] = [];
afterAll(async () => {
  await Promise.all(created.map((b) => b.dispose()));
});

async function wasm(threads: number, fused: boolean): Promise<WasmBackend> {
  const b = await createWasmBackend({ threads, fused });
  created.push(b);
  return b;
}

/** Values of every magnitude a checkpoint has, including some far below the block's largest. */
function weightValues(count: number, salt: number): Float32Array {
  const values = filledF32(new Float32Array(count), salt);
  for (let i = 0; i < count; i++) if (i % 7 === 3) values[i] *= 1e-3;
  return values;
}

/** A rows x cols matrix of `type` in backend memory, quantized from weightValues by the TS codec. */
function storedMatrix(
  b: ComputeBackend,
  type: WeightType,
  rows: number,
  cols: number,
  salt: number,
): WeightMatrix {
  const w = b.allocWeights(type, rows, cols);
  encodeRows(type, weightValues(rows * cols, salt), 0, rows, cols, w.data, 0);
  return w;
}

function colsOf(type: WeightType, blocks: number): number {
  // F16/BF16 get widths that are not multiples of 8 or 4 (the kernel's vector steps).
  return type === "f16" || type === "bf16"
    ? blocks * 37 + 2
    : blocks * WEIGHT_TYPE_LAYOUT[type].blockElements;
}

describe.each(TYPES)("wasm matmul on %s weights as stored", (type) => {
  it("decodes every weight to the codec's float32 value (an identity product, bit for bit)", async () => {
    const b = await wasm(1, true);
    const cols = colsOf(type, 2);
    const rows = 12;
    const w = storedMatrix(b, type, rows, cols, 11);
    if (type === "f16") {
      // Subnormal halves, signed zeros and the largest half, beside ordinary values.
      const special = [0x0001, 0x03ff, 0x8001, 0x0000, 0x8000, 0x7bff, 0xfbff, 0x0400, 0x3c00];
      special.forEach((h, i) => {
        w.data[2 * i] = h & 0xff;
        w.data[2 * i + 1] = h >> 8;
      });
    }
    const identity = b.allocF32(cols * cols);
    for (let i = 0; i < cols; i++) identity[i * cols + i] = 1;
    const got = b.allocF32(cols * rows);
    await b.matmul(got, identity, w, cols);
    const want = new Float32Array(rows * cols);
    decodeMatrixRows(w, 0, rows, want);
    let mismatches = 0;
    for (let o = 0; o < rows; o++)
      for (let i = 0; i < cols; i++) if (got[i * rows + o] !== want[o * cols + i]) mismatches++;
    expect(mismatches).toBe(0);
  });

  it.each([
    { threads: 1, fused: false },
    { threads: 1, fused: true },
    { threads: 3, fused: true },
  ])(
    "matches the plain-TS backend within the float32 bound ($threads thread(s), fused $fused)",
    async ({ threads, fused }) => {
      const b = await wasm(threads, fused);
      const js = await createComputeBackend({ kind: "js" });
      for (const [s, { rows, blocks, outDim }] of SHAPES.entries()) {
        const inDim = colsOf(type, blocks);
        const w = storedMatrix(b, type, outDim, inDim, 20 + s);
        const x = filledF32(b.allocF32(rows * inDim), 30 + s);
        const bias = filledF32(b.allocF32(outDim), 40 + s);
        const got = b.allocF32(rows * outDim);
        const want = new Float32Array(rows * outDim);
        await b.matmul(got, x, w, rows, bias);
        await js.matmul(want, x, w, rows, bias);
        const decoded = new Float32Array(outDim * inDim);
        decodeMatrixRows(w, 0, outDim, decoded);
        const bound = (Math.ceil(inDim / 4) + 8) * U;
        let worst = 0;
        for (let r = 0; r < rows; r++)
          for (let o = 0; o < outDim; o++) {
            let scale = Math.abs(bias[o]);
            for (let i = 0; i < inDim; i++) scale += Math.abs(x[r * inDim + i] * decoded[o * inDim + i]);
            worst = Math.max(worst, Math.abs(got[r * outDim + o] - want[r * outDim + o]) / scale / bound);
          }
        // worst is the largest error as a fraction of its bound.
        expect(worst, `${rows}x${inDim} -> ${outDim}`).toBeLessThanOrEqual(1);
      }
    },
  );

  it("keeps the weights in their stored bytes (no F32 copy)", async () => {
    const b = await wasm(1, true);
    const before = b.heapBytes;
    const cols = colsOf(type, 4);
    const w = b.allocWeights(type, 64, cols);
    expect(b.weightTypes.has(type)).toBe(true);
    expect(w.type).toBe(type);
    const stored = (64 * cols * WEIGHT_TYPE_LAYOUT[type].blockBytes) / WEIGHT_TYPE_LAYOUT[type].blockElements;
    expect(w.data.length).toBe(stored);
    expect(b.heapBytes - before).toBeLessThan(stored + 64);
  });
});
