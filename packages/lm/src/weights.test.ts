import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSafetensors, writeSafetensors } from "./formats/safetensors.js";
import { type ComputeBackend, createComputeBackend } from "./kernels/index.js";
import { filledF32 } from "./kernels/kernel-test-cases.js";
import { f32WeightMatrix } from "./kernels/weight-matrix.js";
import { decodeMatrixRows } from "./weight-codecs/weight-codec.js";
import { memoryWeightType, WeightReader } from "./weights.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-weights-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("memoryWeightType", () => {
  const jsTypes = new Set(["f32", "f16", "bf16", "q8_0", "q4_k"] as const);
  const f32Only = new Set(["f32"] as const);
  it("keeps a stored type the backend's matmul reads", () => {
    expect(memoryWeightType("bf16", 64, jsTypes)).toBe("bf16");
    expect(memoryWeightType("q4_k", 256, jsTypes)).toBe("q4_k");
  });
  it("decodes to f32 a type the backend has no kernel for", () => {
    expect(memoryWeightType("bf16", 64, f32Only)).toBe("f32");
    expect(memoryWeightType("q6_k", 256, jsTypes)).toBe("f32");
  });
  it("quantizes float weights when asked, never already-quantized ones, and only whole blocks", () => {
    expect(memoryWeightType("bf16", 64, jsTypes, "q8_0")).toBe("q8_0");
    expect(memoryWeightType("q4_k", 256, jsTypes, "q8_0")).toBe("q4_k");
    expect(memoryWeightType("f32", 48, jsTypes, "q8_0")).toBe("f32");
    // Asked for q8_0 on a backend without a q8_0 kernel: the quantized values, decoded to f32.
    expect(memoryWeightType("f16", 64, f32Only, "q8_0")).toBe("f32");
  });
});

describe("WeightReader.readMatrix", () => {
  const [rows, cols] = [24, 64];
  const values = filledF32(new Float32Array(rows * cols), 1);

  it("keeps BF16 weights 16-bit on a backend that reads them and decodes them to F32 on one that does not", async () => {
    const file = join(dir, "bf16.safetensors");
    await writeSafetensors(file, { w: { shape: [rows, cols], data: values, dtype: "BF16" } });
    const store = await openSafetensors(file);
    const js = await createComputeBackend({ kind: "js" });
    // A backend whose matmul reads F32 only: the js backend with its type list cut down.
    const f32Only: ComputeBackend = { ...js, weightTypes: new Set(["f32"]) };
    const wasm = await createComputeBackend({ kind: "wasm", threads: 1 });
    try {
      const kept = await new WeightReader(store, js).readMatrix("w", [rows, cols]);
      const keptWasm = await new WeightReader(store, wasm).readMatrix("w", [rows, cols]);
      const decoded = await new WeightReader(store, f32Only).readMatrix("w", [rows, cols]);
      expect(kept.type).toBe("bf16");
      expect(kept.data.length).toBe(rows * cols * 2);
      expect(keptWasm.type).toBe("bf16");
      expect(keptWasm.data).toEqual(kept.data);
      expect(decoded.type).toBe("f32");
      const a = new Float32Array(rows * cols);
      const b = new Float32Array(rows * cols);
      decodeMatrixRows(kept, 0, rows, a);
      decodeMatrixRows(decoded, 0, rows, b);
      expect(b).toEqual(a);
      // bfloat16 keeps 8 significant bits.
      for (let i = 0; i < values.length; i++) expect(Math.abs(a[i] - values[i])).toBeLessThanOrEqual(2 ** -8);

      // Both backends' matmuls give the same products of the same values.
      const x = filledF32(new Float32Array(3 * cols), 2);
      const fromKept = new Float32Array(3 * rows);
      const fromDecoded = new Float32Array(3 * rows);
      await js.matmul(fromKept, x, kept, 3);
      await js.matmul(fromDecoded, x, f32WeightMatrix(b, rows, cols), 3);
      expect(fromKept).toEqual(fromDecoded);
    } finally {
      await store.close();
      await wasm.dispose();
    }
  });

  it("quantizes while reading when asked, and reads a range of rows", async () => {
    const file = join(dir, "f32.safetensors");
    await writeSafetensors(file, { w: { shape: [rows, cols], data: values } });
    const store = await openSafetensors(file);
    const js = await createComputeBackend({ kind: "js" });
    try {
      const q = await new WeightReader(store, js, { quantize: "q8_0" }).readMatrix(
        "w",
        [rows, cols],
        [8, 16],
      );
      expect(q).toMatchObject({ type: "q8_0", rows: 8, cols });
      expect(q.data.length).toBe(8 * (cols / 32) * 34);
      const out = new Float32Array(8 * cols);
      decodeMatrixRows(q, 0, 8, out);
      // Q8_0 keeps each value within half a step (block max / 127) plus the scale's f16 rounding.
      for (let i = 0; i < out.length; i++)
        expect(Math.abs(out[i] - values[8 * cols + i])).toBeLessThan(1 / 127);
    } finally {
      await store.close();
    }
  });
});
