import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng, PvaError } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { weightRowBytes } from "../kernels/weight-matrix.js";
import { encodeRows } from "../weight-codecs/weight-codec.js";
import { openGguf } from "./gguf.js";
import { writeGguf } from "./gguf-writer.js";
import { f16DecodeTable } from "./half-float.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-gguf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rng = createRng("gguf-test");
const matrix = Float32Array.from({ length: 4 * 64 }, () => rng.normal());

async function sample(name: string): Promise<string> {
  const file = join(dir, name);
  await writeGguf(
    file,
    [
      { key: "general.architecture", type: "string", value: "llama" },
      { key: "llama.block_count", type: "u32", value: 2 },
      { key: "llama.rope.freq_base", type: "f32", value: 10000 },
      { key: "flag", type: "bool", value: true },
      { key: "big", type: "u64", value: 2 ** 40 },
      { key: "tokens", type: "array", itemType: "string", value: ["a", "bé", "<|x|>"] },
      { key: "types", type: "array", itemType: "i32", value: [1, -1, 3] },
    ],
    [
      { name: "f32", shape: [4, 64], data: matrix, type: "F32" },
      { name: "f16", shape: [4, 64], data: matrix, type: "F16" },
      { name: "q8", shape: [4, 64], data: matrix, type: "Q8_0" },
    ],
  );
  return file;
}

describe("GGUF", () => {
  it("round-trips metadata of every kind and F32/F16/Q8_0 tensors", async () => {
    const gguf = await openGguf(await sample("roundtrip.gguf"));
    expect(gguf.version).toBe(3);
    expect(Object.fromEntries(gguf.metadata)).toEqual({
      "general.architecture": "llama",
      "llama.block_count": 2,
      "llama.rope.freq_base": 10000,
      flag: true,
      big: 2 ** 40,
      tokens: ["a", "bé", "<|x|>"],
      types: [1, -1, 3],
    });
    expect(gguf.info("q8")).toEqual({ name: "q8", shape: [4, 64], dtype: "Q8_0", weightType: "q8_0" });
    expect(gguf.tensors.map((t) => t.offset % 32)).toEqual([0, 0, 0]);
    const out = new Float32Array(matrix.length);
    await gguf.readInto("f32", out);
    expect(out).toEqual(matrix);
    await gguf.readInto("f16", out);
    for (let i = 0; i < out.length; i++)
      expect(Math.abs(out[i] - matrix[i])).toBeLessThanOrEqual(Math.abs(matrix[i]) * 2 ** -11 + 2 ** -24);
    await gguf.readInto("q8", out);
    // Q8_0: each value is within half a quantisation step (block max / 127) of the original, plus the scale's f16 rounding.
    for (let b = 0; b < matrix.length / 32; b++) {
      const block = matrix.subarray(b * 32, b * 32 + 32);
      const step = Math.max(...block.map(Math.abs)) / 127;
      for (let i = 0; i < 32; i++)
        expect(Math.abs(out[b * 32 + i] - block[i])).toBeLessThanOrEqual(
          step / 2 + Math.abs(block[i]) * 2 ** -10,
        );
    }
    await gguf.close();
  });

  it("quantises Q8_0 exactly like ggml's reference (scale = max/127 as f16, round half away from zero)", () => {
    const block = Float32Array.from({ length: 32 }, (_, i) => (i - 16) / 4); // max |x| = 4
    const bytes = new Uint8Array(34);
    encodeRows("q8_0", block, 0, 1, 32, bytes);
    const scale = f16DecodeTable()[bytes[0] | (bytes[1] << 8)];
    expect(scale).toBeCloseTo(4 / 127, 4);
    const q = new Int8Array(bytes.buffer, 2, 32);
    expect(q[0]).toBe(-127);
    expect(q[16]).toBe(0);
    expect(q[18]).toBe(Math.round(0.5 / (4 / 127))); // 15.875 -> 16
    expect(q[31]).toBe(Math.round(3.75 / (4 / 127)));
  });

  it("turns corrupt files into one-line errors, never a hang", async () => {
    const good = await readFile(await sample("good.gguf"));
    const write = async (name: string, bytes: Uint8Array) => {
      const file = join(dir, name);
      await writeFile(file, bytes);
      return file;
    };
    const hugeString = Buffer.from(good);
    // The first key's length field sits after magic, version and the two counts.
    hugeString.writeBigUInt64LE(2n ** 50n, 24);
    const hugeArray = Buffer.from(good);
    const tokensKey = hugeArray.indexOf("tokens");
    hugeArray.writeBigUInt64LE(2n ** 40n, tokensKey + 6 + 4 + 4);
    const badType = Buffer.from(good);
    badType.writeUInt32LE(99, badType.indexOf("f16") + 3 + 4 + 16);
    const cases: [string, Uint8Array, RegExp][] = [
      ["magic", Buffer.from("GGML0000000000000000000000"), /magic: not a GGUF file/],
      ["truncated header", good.subarray(0, 200), /truncated or corrupt/],
      [
        "truncated data",
        good.subarray(0, good.length - 100),
        /tensor q8: data ends at byte \d+ but the file has \d+ \(truncated\?\)/,
      ],
      ["huge string", hugeString, /implausibly/],
      ["huge array", hugeArray, /metadata tokens: array of 1099511627776 items exceeds the file/],
      ["unsupported type", badType, /tensor f16: unknown ggml type id 99/],
    ];
    for (const [what, bytes, message] of cases) {
      const file = await write(`${what.replace(/ /g, "-")}.gguf`, bytes);
      const error = await openGguf(file).then(
        (g) => g.close().then(() => null),
        (e: Error) => e,
      );
      expect(error?.message, what).toMatch(message);
      expect(error?.message, what).toContain(file);
    }
  });
});

describe("GGUF quantized tensors", () => {
  const rows = 2;
  const values = Float32Array.from({ length: rows * 256 }, () => rng.normal());

  async function quantizedSample(name: string): Promise<string> {
    const file = join(dir, name);
    await writeGguf(
      file,
      [{ key: "general.architecture", type: "string", value: "llama" }],
      [
        { name: "blk.0.attn_q.weight", shape: [rows, 256], data: values, type: "Q6_K" },
        { name: "blk.0.ffn_down.weight", shape: [rows, 256], data: values, type: "Q4_K" },
      ],
    );
    return file;
  }

  it("keeps every quantized type's bytes as stored, each decoding to the values it encodes", async () => {
    const types = ["Q8_0", "Q4_0", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16"] as const;
    const file = join(dir, "all-types.gguf");
    await writeGguf(
      file,
      [],
      types.map((type) => ({ name: type, shape: [rows, 256], data: values, type })),
    );
    const gguf = await openGguf(file);
    try {
      for (const type of types) {
        const info = gguf.tensors.find((t) => t.name === type)!;
        expect(info.dtype).toBe(type);
        const weightType = info.weightType!;
        const expected = new Uint8Array(weightRowBytes(weightType, 256) * rows);
        encodeRows(weightType, values, 0, rows, 256, expected);
        expect(info.byteLength).toBe(expected.length);
        const stored = new Uint8Array(info.byteLength);
        await gguf.readBytes(type, 0, stored);
        expect(stored, type).toEqual(expected);
      }
    } finally {
      await gguf.close();
    }
  });

  it("names the file and tensor in one line for a cut, unknown, unsupported or misshapen tensor", async () => {
    const good = Buffer.from(await readFile(await quantizedSample("quantized.gguf")));
    // Tensor info: name length u64, name, n_dims u32, dims u64 x n, type u32, offset u64.
    const infoAt = (name: string) => good.indexOf(name) + name.length;
    const edited = (edit: (b: Buffer) => void) => {
      const copy = Buffer.from(good);
      edit(copy);
      return copy;
    };
    const down = "blk.0.ffn_down.weight";
    const cases: [string, Uint8Array, RegExp][] = [
      [
        "cut Q4_K tensor",
        good.subarray(0, good.length - 64),
        /tensor blk\.0\.ffn_down\.weight: data ends at byte \d+ but the file has \d+ \(truncated\?\)/,
      ],
      [
        "unknown type id",
        edited((b) => b.writeUInt32LE(77, infoAt(down) + 4 + 16)),
        /tensor blk\.0\.ffn_down\.weight: unknown ggml type id 77 \(supported: F32, F16, BF16, Q8_0, Q4_0/,
      ],
      [
        "unsupported type",
        edited((b) => b.writeUInt32LE(10, infoAt(down) + 4 + 16)),
        /tensor blk\.0\.ffn_down\.weight: ggml type Q2_K is not supported \(F32, F16, BF16, Q8_0/,
      ],
      [
        // The same bytes as 4 rows of 128: a row is half a Q4_K super-block.
        "row not a whole number of blocks",
        edited((b) => {
          b.writeBigUInt64LE(128n, infoAt(down) + 4);
          b.writeBigUInt64LE(4n, infoAt(down) + 4 + 8);
        }),
        /tensor blk\.0\.ffn_down\.weight: rows of 128 values are not a whole number of Q4_K blocks \(256 values each\)/,
      ],
    ];
    for (const [what, bytes, message] of cases) {
      const file = join(dir, `${what.replace(/ /g, "-")}.gguf`);
      await writeFile(file, bytes);
      const error = await openGguf(file).then(
        (g) => g.close().then(() => null),
        (e: Error) => e,
      );
      expect(error, what).toBeInstanceOf(PvaError);
      expect(error?.message, what).toMatch(message);
      expect(error?.message.startsWith(`${file}: `), what).toBe(true);
      expect(error?.message, what).not.toContain("\n");
    }
  });
});
