import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PvaError } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBf16, encodeF16 } from "./half-float.js";
import { openSafetensorsCheckpoint, readSafetensors, writeSafetensors } from "./safetensors.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-st-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A safetensors file written byte by byte, for inputs our writer would never produce. */
async function rawFile(
  name: string,
  header: unknown,
  data: Uint8Array,
  headerLength?: number,
): Promise<string> {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerLength ?? json.length));
  const file = join(dir, name);
  await writeFile(file, Buffer.concat([length, json, data]));
  return file;
}

describe("half-float encoding", () => {
  it("rounds like numpy's astype(float16) and torch's bfloat16", () => {
    // Reference bit patterns: np.float16(x).view(np.uint16) / torch.tensor(x).bfloat16().view(torch.int16).
    expect(encodeF16(1)).toBe(0x3c00);
    expect(encodeF16(-2)).toBe(0xc000);
    expect(encodeF16(65504)).toBe(0x7bff);
    expect(encodeF16(1e6)).toBe(0x7c00);
    expect(encodeF16(1 / 3)).toBe(0x3555);
    expect(encodeF16(6e-8)).toBe(0x0001);
    expect(encodeF16(1 + 2 ** -11)).toBe(0x3c00); // tie rounds to even
    expect(encodeBf16(1)).toBe(0x3f80);
    expect(encodeBf16(1 / 3)).toBe(0x3eab);
    expect(encodeBf16(-2.71875)).toBe(0xc02e);
  });
});

describe("safetensors", () => {
  it("round-trips F32, F16 and BF16 tensors with metadata", async () => {
    const values = Float32Array.of(0, 1, -2.5, 0.1, 1e-3, 300, -7.25, 65504);
    const file = join(dir, "roundtrip.safetensors");
    await writeSafetensors(
      file,
      {
        f32: { shape: [2, 4], data: values },
        f16: { shape: [8], data: values, dtype: "F16" },
        bf16: { shape: [4, 2], data: values, dtype: "BF16" },
      },
      { pva: '{"x":1}' },
    );
    const { tensors, metadata } = await readSafetensors(file);
    expect(metadata).toEqual({ pva: '{"x":1}' });
    expect(tensors.get("f32")).toEqual({ shape: [2, 4], data: values });
    expect(tensors.get("f16")!.shape).toEqual([8]);
    // F16 keeps 11 significant bits, BF16 8.
    const f16 = tensors.get("f16")!.data;
    const bf16 = tensors.get("bf16")!.data;
    for (let i = 0; i < values.length; i++) {
      expect(Math.abs(f16[i] - values[i])).toBeLessThanOrEqual(Math.abs(values[i]) * 2 ** -11);
      expect(Math.abs(bf16[i] - values[i])).toBeLessThanOrEqual(Math.abs(values[i]) * 2 ** -8);
    }
    // Data starts 8-byte aligned, as the reference writer lays it out.
    const bytes = await readFile(file);
    expect(Number(bytes.readBigUInt64LE(0)) % 8).toBe(0);
  });

  it("reads sharded checkpoints through model.safetensors.index.json", async () => {
    const shardDir = join(dir, "sharded");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(shardDir);
    await writeSafetensors(join(shardDir, "model-00001-of-00002.safetensors"), {
      a: { shape: [2], data: Float32Array.of(1, 2) },
    });
    await writeSafetensors(join(shardDir, "model-00002-of-00002.safetensors"), {
      b: { shape: [1], data: Float32Array.of(3) },
    });
    await writeFile(
      join(shardDir, "model.safetensors.index.json"),
      JSON.stringify({
        metadata: {},
        weight_map: { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors" },
      }),
    );
    const store = await openSafetensorsCheckpoint(shardDir);
    const b = new Float32Array(1);
    await store.readInto("b", b);
    expect(b[0]).toBe(3);
    expect(store.names().sort()).toEqual(["a", "b"]);
    await expect(store.readInto("c", b)).rejects.toThrow(/model.safetensors.index.json: tensor c: missing/);
    await store.close();
  });

  it("turns bad files into one-line errors naming the file and tensor", async () => {
    const f32 = (n: number) => new Uint8Array(n * 4);
    const cases: [string, Promise<string>, RegExp][] = [
      [
        "tiny",
        rawFile("tiny.safetensors", "", new Uint8Array(0), 0).then(async (f) => {
          await writeFile(f, "abc");
          return f;
        }),
        /tiny.safetensors: header: file is 3 bytes/,
      ],
      [
        "huge header",
        rawFile("huge.safetensors", "{}", new Uint8Array(0), 2 ** 40),
        /huge.safetensors: header: header length 1099511627776 exceeds/,
      ],
      [
        "bad json",
        rawFile("json.safetensors", "{nope", new Uint8Array(0)),
        /json.safetensors: header: not valid JSON/,
      ],
      [
        "truncated",
        rawFile("cut.safetensors", { w: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, f32(2)),
        /cut.safetensors: tensor w: data ends at byte 16 but the file holds 8 \(truncated\?\)/,
      ],
      [
        "offsets vs shape",
        rawFile("shape.safetensors", { w: { dtype: "F32", shape: [3], data_offsets: [0, 16] } }, f32(4)),
        /shape.safetensors: tensor w: data_offsets span 16 bytes, shape \[3\] F32 needs 12/,
      ],
      [
        "unknown dtype",
        rawFile("dtype.safetensors", { w: { dtype: "Q4", shape: [1], data_offsets: [0, 1] } }, f32(1)),
        /dtype.safetensors: tensor w: unknown dtype "Q4"/,
      ],
    ];
    for (const [what, file, message] of cases) {
      const error = await readSafetensors(await file).catch((e: unknown) => e);
      expect(error, what).toBeInstanceOf(PvaError);
      expect((error as Error).message, what).toMatch(message);
    }
  });

  it("refuses unsupported dtypes and NaN weights when a tensor is read", async () => {
    const ints = await rawFile(
      "ints.safetensors",
      { ids: { dtype: "I64", shape: [1], data_offsets: [0, 8] } },
      new Uint8Array(8),
    );
    await expect(readSafetensors(ints)).rejects.toThrow(
      /ints.safetensors: tensor ids: dtype I64 is not supported/,
    );
    const nan = join(dir, "nan.safetensors");
    await writeSafetensors(nan, {
      "model.norm.weight": { shape: [3], data: Float32Array.of(1, Number.NaN, 2) },
    });
    await expect(readSafetensors(nan)).rejects.toThrow(
      /nan.safetensors: tensor model.norm.weight: non-finite value NaN at element 1/,
    );
  });
});
