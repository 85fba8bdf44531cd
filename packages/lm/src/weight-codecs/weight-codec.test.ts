import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { WEIGHT_TYPE_LAYOUT, type WeightType } from "../kernels/weight-matrix.js";
import { decodeRows, encodeRows, firstNonFiniteValue } from "./weight-codec.js";

/**
 * The block codecs against ggml itself. The expected hashes were made by compiling ggml's
 * ggml-quants.c (the llama.cpp that node-llama-cpp 3.21.1 ships, from its gitRelease.bundle) with
 * gcc 12 -O2 for x86-64 (no FMA), running quantize_row_<type>_ref and dequantize_row_<type> on
 * referenceInput()'s 4096 values written as raw little-endian F32, and hashing the bytes each wrote.
 * Equal hashes mean our quantizer writes ggml's reference bytes and our decoder reads them to
 * ggml's floats, bit for bit.
 */
const GGML_REFERENCE: Record<
  Exclude<WeightType, "f32" | "f16" | "bf16">,
  { bytes: string; decoded: string }
> = {
  q8_0: {
    bytes: "2be1becf28141e87f230bd15b6af59eeb9c35280f1b8d1f673529ce63c9d80be",
    decoded: "8cb23d2901d010459499747bc03936f9707d8fea2a3e027b2917b4e24a148d87",
  },
  q4_0: {
    bytes: "9597fa7b38ba98a1f0214bc845804417696d8582bcb7585f2e3889c445343701",
    decoded: "06d133eb209c57fc7f64c38982c5061504b459bfe72bae35a05b4c742b0a776d",
  },
  q5_0: {
    bytes: "86d682853f99c4a8da80a93da54ead6e6d10f18f7f0ad61358355f9d1ab48613",
    decoded: "f5c59ee34910ccf3b05963ea2ce942401767c582a296508bf9f16414f025984b",
  },
  q5_1: {
    bytes: "9cb784b4755e1185770c7e01167a8e68d7f94d9bb86a27f66d603b4e160e6f18",
    decoded: "d10c2c54b95eff6dc0f07776895bc71685145f66d697ef4df93dfa9fdff8eb69",
  },
  q4_k: {
    bytes: "a3cce4471c7a34400148e8229c2c34bb88910a53e4f975e5fbe39e28c2584074",
    decoded: "bf6c126c4df6104fdd6986b0b104745d58967047446e5bf0d19e79b125adcc2c",
  },
  q5_k: {
    bytes: "0f7177b0b8cb55ccfa8b03d115db837b57ea599cd884a1436a7d1b2d8d18b712",
    decoded: "1052396cc30ac7396e354385b3c21418cb358abd6a882df6759cc879b8bc2394",
  },
  q6_k: {
    bytes: "455e856c3e47bb10e77177107e48a012cbd868581e07629029f339a723143397",
    decoded: "be8066f5d4d498595447ffa444603797c526b30a15f74f48486bde823d13cd0a",
  },
};

/**
 * 16 blocks of 256 values, each block one kind of data a quantizer must handle: small and unit
 * bell curves, heavy tails (cubes), all zero, all equal, mostly zero, values on a coarse grid (ties
 * in rounding), and a narrow band away from zero (a min that matters). A Weyl sequence, so the
 * values are the same on every platform.
 */
function referenceInput(): Float32Array {
  const x = new Float32Array(256 * 16);
  let u = 0.5;
  const next = () => {
    u = (u + 0.6180339887498949) % 1;
    return u;
  };
  for (let i = 0; i < x.length; i++) {
    const bell = next() + next() + next() + next() - 2;
    const kind = Math.floor(i / 256) % 8;
    if (kind === 0) x[i] = 0.02 * bell;
    else if (kind === 1) x[i] = bell;
    else if (kind === 2) x[i] = 4 * bell * bell * bell;
    else if (kind === 3) x[i] = 0;
    else if (kind === 4) x[i] = 0.5;
    else if (kind === 5) x[i] = next() < 0.85 ? 0 : bell;
    else if (kind === 6) x[i] = Math.round(bell * 8) / 8;
    else x[i] = 0.01 + 0.001 * bell;
  }
  return x;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("block codecs against ggml's reference", () => {
  const input = referenceInput();
  it("builds the input the reference hashes were made from", () => {
    expect(sha256(new Uint8Array(input.buffer))).toBe(
      "47e0518302a733480b2be30a4370e0577b196fd2f17af381e975b486c4543ea1",
    );
  });

  it.each(Object.entries(GGML_REFERENCE))(
    "%s: quantize_row_ref's bytes and dequantize_row's floats",
    (name, want) => {
      const type = name as WeightType;
      const { blockElements, blockBytes } = WEIGHT_TYPE_LAYOUT[type];
      const bytes = new Uint8Array((input.length / blockElements) * blockBytes);
      // Two rows, so a codec that mixed rows up would show.
      encodeRows(type, input, 0, 2, input.length / 2, bytes);
      expect(sha256(bytes)).toBe(want.bytes);
      const decoded = new Float32Array(input.length);
      decodeRows(type, bytes, 0, 2, input.length / 2, decoded);
      expect(sha256(new Uint8Array(decoded.buffer))).toBe(want.decoded);
    },
  );
});

describe("K-quant searches on many blocks", () => {
  // makeQkx2Quants and makeQxQuants skip candidates whose codes repeat the previous ones and keep
  // x - min rounded between moves of min (k-quant-search.ts). ggml's 16 blocks above exercise
  // few such paths; these hashes are of 512 bell-shaped blocks as quantized by the straight
  // port of ggml's loops that preceded those shortcuts (checked equal to it on 10M values of
  // nine kinds of data besides), so a shortcut that changed one byte would show here.
  const x = new Float32Array(256 * 512);
  let u = 0.25;
  const next = () => {
    u = (u + 0.7548776662466927) % 1;
    return u;
  };
  for (let i = 0; i < x.length; i++) {
    const bell = next() + next() + next() + next() + next() + next() - 3;
    x[i] = 0.02 * (1 + (Math.floor(i / 256) % 7)) * bell;
  }
  it.each([
    ["q4_k", "0184a89458030a31fee78e8359c2d67fedb785b32f7034ed099506c66c994a22"],
    ["q5_k", "2fc516479081cd282f40708851737abbc78d90998d36bdf58bb13bca523aa443"],
    ["q6_k", "94f38751f5dc24bbcddd07d8f5fc4e062358e27537730ce2ccd1ac1dc8694669"],
  ] as const)("%s writes the straight port's bytes", (type, want) => {
    const bytes = new Uint8Array(512 * WEIGHT_TYPE_LAYOUT[type].blockBytes);
    encodeRows(type, x, 0, 512, 256, bytes);
    expect(sha256(bytes)).toBe(want);
  });
});

describe("block layouts, by hand", () => {
  it("Q4_0: byte j holds value j (low nibble) and value j + 16 (high nibble), value = (q - 8) * d", () => {
    const block = new Uint8Array(18);
    block[0] = 0x00;
    block[1] = 0x3c; // f16 1.0
    block[2] = 0x9f; // value 0: 15 - 8 = 7; value 16: 9 - 8 = 1
    block[17] = 0x08; // value 15: 0; value 31: -8
    const out = new Float32Array(32);
    decodeRows("q4_0", block, 0, 1, 32, out);
    expect([out[0], out[16], out[15], out[31], out[1]]).toEqual([7, 1, 0, -8, -8]);
  });

  it("Q6_K: value l + 32k takes ql's nibble and qh's bits 2k..2k+1, times d and its sub-block's scale", () => {
    const block = new Uint8Array(210);
    block[208] = 0x00;
    block[209] = 0x3c; // d = 1
    for (let s = 0; s < 16; s++) block[192 + s] = s + 1; // sub-block s (16 values) has scale s + 1
    block[0] = 0x21; // ql[0]: value 0 low nibble 1, value 64 high nibble 2
    block[32] = 0x43; // ql[32]: value 32 low nibble 3, value 96 high nibble 4
    block[128] = 0b11100100; // qh[0]: value 0 +0, value 32 +16, value 64 +32, value 96 +48
    const out = new Float32Array(256);
    decodeRows("q6_k", block, 0, 1, 256, out);
    // (q - 32) * scale: value 0 in sub-block 0, 32 in 2, 64 in 4, 96 in 6.
    expect([out[0], out[32], out[64], out[96]]).toEqual([
      (1 - 32) * 1,
      (19 - 32) * 3,
      (34 - 32) * 5,
      (52 - 32) * 7,
    ]);
  });

  it("finds a non-finite scale without decoding the block", () => {
    const bytes = new Uint8Array(3 * 34);
    bytes[2 * 34 + 1] = 0x7c; // block 2's f16 scale = +Inf
    expect(firstNonFiniteValue("q8_0", bytes, 0, 96)).toBe(64);
    expect(firstNonFiniteValue("q8_0", bytes, 0, 64)).toBe(-1);
  });
});
