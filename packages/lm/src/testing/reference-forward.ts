import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeF16, f16DecodeTable } from "../formats/half-float.js";

interface RopeJson {
  rope_type?: string;
  type?: string;
  rope_theta?: number;
  factor?: number;
  long_factor?: number[];
  short_factor?: number[];
  original_max_position_embeddings?: number;
  full_attention?: RopeJson;
  sliding_attention?: RopeJson;
}

/** The config.json fields the reference reads. */
interface HfConfigJson {
  model_type: string;
  hidden_size: number;
  num_attention_heads: number;
  num_key_value_heads?: number;
  head_dim?: number;
  num_hidden_layers: number;
  rms_norm_eps: number;
  max_position_embeddings: number;
  original_max_position_embeddings?: number;
  layer_types?: string[];
  sliding_window?: number | null;
  sliding_window_pattern?: number;
  rope_theta?: number;
  rope_local_base_freq?: number;
  rope_scaling?: RopeJson | null;
  rope_parameters?: RopeJson;
  query_pre_attn_scalar?: number;
  attn_logit_softcapping?: number | null;
  final_logit_softcapping?: number | null;
  tie_word_embeddings?: boolean;
}

import { readSafetensors } from "../formats/safetensors.js";

/**
 * An independent float64 forward pass of an HF checkpoint folder, for the features llama.cpp
 * cannot check exactly (the oracle doc: it computes GELU through an fp16 table, has no sliding
 * window for `llama` (Mistral) or Phi-3, and scales Gemma's scores by head_dim whatever
 * `query_pre_attn_scalar` says). Written from transformers' modeling code for each architecture
 * straight from config.json and the safetensors tensors, without the runtime's config parsing,
 * loaders or forward pass, in plain loops over every position (no KV cache, no kernels).
 *
 * `gelu: "llama.cpp"` computes GELU the way ggml's CPU backend does (input rounded to fp16,
 * the tanh formula in float32, the result rounded to fp16), to show that this table is the only
 * difference between an exact forward and llama.cpp's.
 */
export async function referenceLogProbs(
  folder: string,
  tokens: readonly number[],
  opts: { gelu?: "exact" | "llama.cpp" } = {},
): Promise<Float64Array[]> {
  const c = JSON.parse(await readFile(join(folder, "config.json"), "utf8")) as HfConfigJson;
  const { tensors } = await readSafetensors(join(folder, "model.safetensors"));
  const W = (name: string): Float64Array => {
    const t = tensors.get(`${name}.weight`) ?? tensors.get(name);
    if (!t) throw new Error(`reference: no tensor ${name}`);
    return Float64Array.from(t.data);
  };
  const has = (name: string) => tensors.has(`${name}.weight`);
  const bias = (name: string): Float64Array | null => {
    const t = tensors.get(`${name}.bias`);
    return t ? Float64Array.from(t.data) : null;
  };

  const type: string = c.model_type;
  const gemma = type === "gemma2" || type === "gemma3_text" || type === "gemma3";
  const H: number = c.hidden_size;
  const nHeads: number = c.num_attention_heads;
  const nKv: number = c.num_key_value_heads ?? nHeads;
  const hd: number = c.head_dim ?? H / nHeads;
  const L: number = c.num_hidden_layers;
  const eps: number = c.rms_norm_eps;
  const T = tokens.length;
  const rope = c.rope_parameters ?? {};

  // Which layers slide, per transformers' configuration classes.
  const sliding = (l: number): boolean => {
    if (Array.isArray(c.layer_types)) return c.layer_types[l] === "sliding_attention";
    if (type === "gemma2") return l % 2 === 0;
    if (type === "gemma3_text") return (l + 1) % (c.sliding_window_pattern ?? 6) !== 0;
    return c.sliding_window !== null && c.sliding_window !== undefined;
  };
  // Inverse frequencies of layer l's rotary embedding, and the factor on cos/sin.
  const rotary = (l: number): { inv: number[]; factor: number } => {
    const half = hd / 2;
    const local = type === "gemma3_text" && sliding(l);
    const params =
      rope.full_attention || rope.sliding_attention
        ? rope[local ? "sliding_attention" : "full_attention"]
        : rope;
    const theta = local
      ? (params?.rope_theta ?? c.rope_local_base_freq ?? 10000)
      : (params?.rope_theta ?? c.rope_theta ?? 10000);
    const scaling = local ? null : (c.rope_scaling ?? (params?.rope_type ? params : null));
    let inv = Array.from({ length: half }, (_, i) => 1 / theta ** ((2 * i) / hd));
    let factor = 1;
    const kind = scaling?.rope_type ?? scaling?.type;
    if (scaling && kind === "linear") inv = inv.map((f) => f / (scaling.factor as number));
    if (scaling && (kind === "longrope" || kind === "su")) {
      const original = (scaling.original_max_position_embeddings ??
        c.original_max_position_embeddings) as number;
      const ext = (T > original ? scaling.long_factor : scaling.short_factor) as number[];
      inv = inv.map((f, i) => f / ext[i]);
      const s = c.max_position_embeddings / original;
      factor = s <= 1 ? 1 : Math.sqrt(1 + Math.log(s) / Math.log(original));
    }
    return { inv, factor };
  };

  const rms = (x: Float64Array, w: Float64Array, offset: number): Float64Array => {
    let ss = 0;
    for (const v of x) ss += v * v;
    const inv = 1 / Math.sqrt(ss / x.length + eps);
    return x.map((v, i) => v * inv * (offset + w[i]));
  };
  const linear = (w: Float64Array, b: Float64Array | null, x: Float64Array, rowsFrom = 0, rows?: number) => {
    const n = x.length;
    const out = new Float64Array(rows ?? w.length / n);
    for (let o = 0; o < out.length; o++) {
      let sum = b ? b[o] : 0;
      const at = (rowsFrom + o) * n;
      for (let i = 0; i < n; i++) sum += w[at + i] * x[i];
      out[o] = sum;
    }
    return out;
  };
  const geluExact = (u: number) =>
    0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u ** 3)));
  const half = f16DecodeTable();
  const geluGgml = (u: number) => {
    if (u <= -10) return 0;
    if (u >= 10) return u;
    const x = half[encodeF16(u)];
    const f = Math.fround;
    const y = f(f(0.5 * x) * f(1 + Math.tanh(f(f(0.7978845608028654 * x) * f(1 + f(f(0.044715 * x) * x))))));
    return half[encodeF16(y)];
  };
  const gelu = opts.gelu === "llama.cpp" ? geluGgml : geluExact;
  const normOffset = gemma ? 1 : 0;

  const embed = W("model.embed_tokens");
  let x: Float64Array[] = tokens.map((id) => {
    const row = embed.slice(id * H, (id + 1) * H);
    return gemma ? row.map((v) => v * Math.sqrt(H)) : row;
  });

  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}`;
    const { inv, factor } = rotary(l);
    const window = sliding(l) ? (c.sliding_window as number) : Number.POSITIVE_INFINITY;
    const scale = gemma ? (c.query_pre_attn_scalar ?? hd) ** -0.5 : 1 / Math.sqrt(hd);
    const attnCap = type === "gemma2" ? (c.attn_logit_softcapping ?? null) : null;
    const normed = x.map((r) => rms(r, W(`${p}.input_layernorm`), normOffset));
    const project = (r: Float64Array) => {
      if (has(`${p}.self_attn.qkv_proj`)) {
        const w = W(`${p}.self_attn.qkv_proj`);
        return [
          linear(w, null, r, 0, nHeads * hd),
          linear(w, null, r, nHeads * hd, nKv * hd),
          linear(w, null, r, (nHeads + nKv) * hd, nKv * hd),
        ];
      }
      return ["q", "k", "v"].map((n) =>
        linear(W(`${p}.self_attn.${n}_proj`), bias(`${p}.self_attn.${n}_proj`), r),
      );
    };
    const qkv = normed.map(project);
    const rotate = (v: Float64Array, heads: number, pos: number, normName: string) => {
      const out = new Float64Array(v.length);
      for (let h = 0; h < heads; h++) {
        let head: Float64Array = v.slice(h * hd, (h + 1) * hd);
        if (has(`${p}.self_attn.${normName}`)) head = rms(head, W(`${p}.self_attn.${normName}`), normOffset);
        for (let i = 0; i < hd / 2; i++) {
          const cos = Math.cos(pos * inv[i]) * factor;
          const sin = Math.sin(pos * inv[i]) * factor;
          out[h * hd + i] = head[i] * cos - head[i + hd / 2] * sin;
          out[h * hd + i + hd / 2] = head[i + hd / 2] * cos + head[i] * sin;
        }
      }
      return out;
    };
    const q = qkv.map(([qq], t) => rotate(qq, nHeads, t, "q_norm"));
    const k = qkv.map(([, kk], t) => rotate(kk, nKv, t, "k_norm"));
    const attended = q.map((qt, t) => {
      const out = new Float64Array(nHeads * hd);
      for (let h = 0; h < nHeads; h++) {
        const g = Math.floor(h / (nHeads / nKv));
        const js: number[] = [];
        for (let j = 0; j <= t; j++) if (t - j < window) js.push(j);
        const scores = js.map((j) => {
          let d = 0;
          for (let i = 0; i < hd; i++) d += qt[h * hd + i] * k[j][g * hd + i];
          const s = d * scale;
          return attnCap ? attnCap * Math.tanh(s / attnCap) : s;
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, b) => a + b, 0);
        js.forEach((j, n) => {
          for (let i = 0; i < hd; i++) out[h * hd + i] += (e[n] / z) * qkv[j][2][g * hd + i];
        });
      }
      return out;
    });
    let attnOut: Float64Array[] = attended.map((a) =>
      linear(W(`${p}.self_attn.o_proj`), bias(`${p}.self_attn.o_proj`), a),
    );
    if (gemma) attnOut = attnOut.map((r) => rms(r, W(`${p}.post_attention_layernorm`), 1));
    x = x.map((r, t) => r.map((v, i) => v + attnOut[t][i]));

    const mlpNorm = gemma ? `${p}.pre_feedforward_layernorm` : `${p}.post_attention_layernorm`;
    const mlpOut = x.map((r) => {
      const n = rms(r, W(mlpNorm), normOffset);
      let gate: Float64Array;
      let up: Float64Array;
      if (has(`${p}.mlp.gate_up_proj`)) {
        const w = W(`${p}.mlp.gate_up_proj`);
        const ff = w.length / H / 2;
        gate = linear(w, null, n, 0, ff);
        up = linear(w, null, n, ff, ff);
      } else {
        gate = linear(W(`${p}.mlp.gate_proj`), null, n);
        up = linear(W(`${p}.mlp.up_proj`), null, n);
      }
      const act = gate.map((g, i) => (gemma ? gelu(g) : g / (1 + Math.exp(-g))) * up[i]);
      const down = linear(W(`${p}.mlp.down_proj`), null, act);
      return gemma ? rms(down, W(`${p}.post_feedforward_layernorm`), 1) : down;
    });
    x = x.map((r, t) => r.map((v, i) => v + mlpOut[t][i]));
  }

  const head = has("lm_head") && c.tie_word_embeddings === false ? W("lm_head") : embed;
  const finalCap = c.final_logit_softcapping ?? null;
  return x.map((r) => {
    const logits = linear(head, null, rms(r, W("model.norm"), normOffset));
    const capped = finalCap ? logits.map((v) => finalCap * Math.tanh(v / finalCap)) : logits;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of capped) max = Math.max(max, v);
    let z = 0;
    for (const v of capped) z += Math.exp(v - max);
    const logZ = max + Math.log(z);
    return capped.map((v) => v - logZ);
  });
}
