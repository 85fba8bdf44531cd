import { describe, expect, it } from "vitest";
import { chooseTensorTypes, type GgufModelTensor } from "./gguf-file-type.js";

/**
 * The per-tensor choices of llama.cpp's quantizer (src/llama-quant.cpp, llama_tensor_get_type),
 * written out by hand for Llama-3.1-8B's shape: Q4_K_M keeps Q4_K everywhere except Q6_K for the
 * output matrix and for attn_v and ffn_down on the layers use_more_bits picks (the first and
 * last eighth of the layers and every third one between).
 */

function llamaTensors(layers: number, hidden: number, ffn: number, tied: boolean): GgufModelTensor[] {
  const data = new Float32Array(0);
  const t = (name: string, shape: number[], type?: "F32"): GgufModelTensor => ({ name, shape, data, type });
  const out = [t("token_embd.weight", [1000, hidden]), t("output_norm.weight", [hidden], "F32")];
  if (!tied) out.push(t("output.weight", [1000, hidden]));
  for (let i = 0; i < layers; i++)
    out.push(
      t(`blk.${i}.attn_norm.weight`, [hidden], "F32"),
      t(`blk.${i}.attn_q.weight`, [hidden, hidden]),
      t(`blk.${i}.attn_k.weight`, [hidden / 4, hidden]),
      t(`blk.${i}.attn_v.weight`, [hidden / 4, hidden]),
      t(`blk.${i}.attn_output.weight`, [hidden, hidden]),
      t(`blk.${i}.ffn_norm.weight`, [hidden], "F32"),
      t(`blk.${i}.ffn_gate.weight`, [ffn, hidden]),
      t(`blk.${i}.ffn_up.weight`, [ffn, hidden]),
      t(`blk.${i}.ffn_down.weight`, [hidden, ffn]),
    );
  return out;
}

const typesOf = (tensors: GgufModelTensor[], fileType: Parameters<typeof chooseTensorTypes>[0], n: number) =>
  new Map(chooseTensorTypes(fileType, tensors, n).map((t) => [t.name, t.type]));

describe("chooseTensorTypes", () => {
  it("Q4_K_M on a 32-layer model: Q6_K for output and for attn_v/ffn_down on 16 layers, as llama-quantize does", () => {
    const types = typesOf(llamaTensors(32, 4096, 14336, false), "q4_K_M", 32);
    const more = [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31];
    expect(types.get("output.weight")).toBe("q6_k");
    expect(types.get("token_embd.weight")).toBe("q4_k");
    expect(types.get("output_norm.weight")).toBe("F32");
    for (let i = 0; i < 32; i++) {
      const expected = more.includes(i) ? "q6_k" : "q4_k";
      expect(types.get(`blk.${i}.attn_v.weight`), `layer ${i}`).toBe(expected);
      expect(types.get(`blk.${i}.ffn_down.weight`), `layer ${i}`).toBe(expected);
      for (const other of ["attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"])
        expect(types.get(`blk.${i}.${other}.weight`)).toBe("q4_k");
      expect(types.get(`blk.${i}.attn_norm.weight`)).toBe("F32");
    }
  });

  it("Q4_K_M with tied embeddings gives the token embedding the output's Q6_K", () => {
    expect(typesOf(llamaTensors(2, 256, 512, true), "q4_K_M", 2).get("token_embd.weight")).toBe("q6_k");
  });

  it("falls back when rows do not split into 256-value blocks (Q4_K -> Q5_0, Q6_K -> Q8_0, output Q8_0)", () => {
    const types = typesOf(llamaTensors(2, 64, 128, false), "q4_K_M", 2);
    expect(types.get("output.weight")).toBe("q8_0");
    expect(types.get("blk.0.attn_q.weight")).toBe("q5_0");
    // 2 layers: layer 1 is in the last eighth, so its attn_v and ffn_down want Q6_K.
    expect(types.get("blk.1.attn_v.weight")).toBe("q8_0");
    expect(types.get("blk.0.attn_v.weight")).toBe("q5_0");
    expect(typesOf(llamaTensors(2, 64, 128, false), "q5_K", 2).get("blk.0.ffn_up.weight")).toBe("q5_1");
  });

  it("pure types (llama-quantize --pure) use one type for every matrix, output included", () => {
    for (const [fileType, type] of [
      ["q4_K", "q4_k"],
      ["q5_K", "q5_k"],
      ["q6_K", "q6_k"],
      ["q8_0", "q8_0"],
      ["q4_0", "q4_0"],
      ["bf16", "bf16"],
    ] as const) {
      const types = typesOf(llamaTensors(4, 256, 512, false), fileType, 4);
      const matrices = [...types].filter(([name]) => !name.includes("norm"));
      expect(new Set(matrices.map(([, t]) => t)), fileType).toEqual(new Set([type]));
    }
  });
});
