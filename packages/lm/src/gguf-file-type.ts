import type { GgufTensorToWrite, GgufTensorType } from "./formats/gguf-writer.js";
import { rowLength } from "./formats/tensor-store.js";
import { WEIGHT_TYPE_LAYOUT, type WeightType } from "./kernels/weight-matrix.js";

/**
 * What a model GGUF's matrices are stored as, in llama.cpp's names: one type for every matrix
 * (`llama-quantize --pure`, or the converter's --outtype for f32/f16/bf16), or a mix that picks
 * a type per tensor (q4_K_M, q5_K_M) by llama.cpp's rules (src/llama-quant.cpp,
 * llama_tensor_get_type, as of the llama.cpp that node-llama-cpp 3.21.1 ships).
 */
export type GgufFileType =
  | "f32"
  | "f16"
  | "bf16"
  | "q8_0"
  | "q4_0"
  | "q4_K"
  | "q5_K"
  | "q6_K"
  | "q4_K_M"
  | "q5_K_M";

export const GGUF_FILE_TYPES: readonly GgufFileType[] = [
  "f32",
  "f16",
  "bf16",
  "q8_0",
  "q4_0",
  "q4_K",
  "q5_K",
  "q6_K",
  "q4_K_M",
  "q5_K_M",
];

/** A tensor of a model to write; matrices leave `type` out and get the file type's choice. */
export type GgufModelTensor = Omit<GgufTensorToWrite, "type"> & { type?: GgufTensorType };

/** The file type named by `name` in any letter case ("Q4_K_M", "q8_0", "F32"), or undefined. */
export function parseGgufFileType(name: string): GgufFileType | undefined {
  return GGUF_FILE_TYPES.find((t) => t.toLowerCase() === name.toLowerCase());
}

/** llama.cpp's llama_ftype, written as general.file_type (the pure K types as their _S mixes, as --pure does). */
export const LLAMA_FTYPE: Readonly<Record<GgufFileType, number>> = {
  f32: 0,
  f16: 1,
  q4_0: 2,
  q8_0: 7,
  q4_K: 14,
  q4_K_M: 15,
  q5_K: 16,
  q5_K_M: 17,
  q6_K: 18,
  bf16: 32,
};

const BASE_TYPE: Readonly<Record<GgufFileType, WeightType>> = {
  f32: "f32",
  f16: "f16",
  bf16: "bf16",
  q8_0: "q8_0",
  q4_0: "q4_0",
  q4_K: "q4_k",
  q5_K: "q5_k",
  q6_K: "q6_k",
  q4_K_M: "q4_k",
  q5_K_M: "q5_k",
};

/** llama.cpp's use_more_bits: the first and last eighth of the layers, and every third one between. */
function useMoreBits(layer: number, layers: number): boolean {
  return (
    layer < Math.trunc(layers / 8) ||
    layer >= Math.trunc((7 * layers) / 8) ||
    (layer - Math.trunc(layers / 8)) % 3 === 2
  );
}

/**
 * llama.cpp's tensor_type_fallback: a type whose blocks do not divide the rows falls back to a
 * 32-value type of similar size, and to F16 if even that does not fit.
 */
function fallback(type: WeightType, row: number): WeightType {
  const fits = (t: WeightType) => row % WEIGHT_TYPE_LAYOUT[t].blockElements === 0;
  if (fits(type)) return type;
  const next: Partial<Record<WeightType, WeightType>> = { q4_k: "q5_0", q5_k: "q5_1", q6_k: "q8_0" };
  const candidate = next[type] ?? type;
  return fits(candidate) ? candidate : "f16";
}

/**
 * The stored type of every tensor in a model GGUF of `fileType`: tensors that name their type
 * keep it (norms, biases); each matrix gets the file type's choice for its name and layer.
 */
export function chooseTensorTypes(
  fileType: GgufFileType,
  tensors: readonly GgufModelTensor[],
  numLayers: number,
): GgufTensorToWrite[] {
  const base = BASE_TYPE[fileType];
  const quantized = base !== "f32" && base !== "f16" && base !== "bf16";
  const mix = fileType === "q4_K_M" || fileType === "q5_K_M";
  const tied = !tensors.some((t) => t.name === "output.weight");
  return tensors.map((t) => {
    if (t.type !== undefined) return { ...t, type: t.type };
    const row = rowLength(t.shape);
    if (!quantized) return { ...t, type: base };
    let type = base;
    if (mix) {
      const layer = Number(/^blk\.(\d+)\./.exec(t.name)?.[1] ?? -1);
      // The output matrix (or the token embedding standing in for it) gets Q6_K, or Q8_0 when its rows do not split into 256-value blocks.
      if (t.name === "output.weight" || (tied && t.name === "token_embd.weight"))
        type = row % 256 === 0 ? "q6_k" : "q8_0";
      // attn_v (and a fused attn_qkv, which llama.cpp counts as attn_v) and ffn_down get Q6_K on the layers use_more_bits picks.
      else if (
        (/attn_v\.weight$/.test(t.name) || /attn_qkv\.weight$/.test(t.name)) &&
        useMoreBits(layer, numLayers)
      )
        type = "q6_k";
      else if (t.name.includes("ffn_down") && useMoreBits(layer, numLayers)) type = "q6_k";
    }
    return { ...t, type: fallback(type, row) };
  });
}
