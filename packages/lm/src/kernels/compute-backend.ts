import { type WeightMatrix, type WeightType, weightRowBytes } from "./weight-matrix.js";

/**
 * The seam between the transformer runtime and its kernels: the operations that take nearly all
 * of a forward pass's time (matmul, attention, and SwiGLU's exp-heavy activation).
 *
 * The runtime allocates weights and activations through the backend (`allocWeights`,
 * `allocF32`), so a backend whose kernels live in WebAssembly memory can read them in place (no
 * copy per call, no second copy of the weights). Linear weights stay in the type they are stored
 * in (F16, BF16, Q8_0, Q4_K, ...) when the backend's matmul reads that type (`weightTypes`);
 * the loader decodes any other type to F32 (see memoryWeightType in weights.ts).
 */
export interface ComputeBackend {
  readonly kind: ComputeBackendKind;
  /** Worker threads plus the calling thread that share each matmul. */
  readonly threads: number;
  /** The weight types `matmul` reads as stored; always includes "f32". */
  readonly weightTypes: ReadonlySet<WeightType>;
  /** Zero-filled memory that the kernels read without copying. */
  allocF32(length: number): Float32Array;
  /**
   * A zero-filled rows x cols matrix of `type` (one of `weightTypes`) in memory the kernels read
   * without copying; the loader fills its `data` row by row.
   */
  allocWeights(type: WeightType, rows: number, cols: number): WeightMatrix;
  /**
   * out[r,o] = sum_i x[r,i] * w[o,i] (+ bias[o]) with inDim = w.cols and outDim = w.rows; x is
   * [rows,inDim] and out [rows,outDim], row-major, in F32. Weights of a quantized type are decoded
   * inside the kernel; activations stay F32 unless the backend says otherwise.
   */
  matmul(
    out: Float32Array,
    x: Float32Array,
    w: WeightMatrix,
    rows: number,
    bias?: Float32Array,
  ): Promise<void>;
  /**
   * Causal attention of `tokens` new tokens at absolute positions start..start+tokens-1 over the
   * keys and values of positions 0..start+tokens-1, scaled by 1/sqrt(headDim), with numHeads /
   * numKvHeads query heads sharing each KV head. q and out are [tokens, numHeads*headDim];
   * keys and values are [positions, numKvHeads*headDim], row-major. `options` change the scale,
   * soft-cap the scores, or limit each token to a sliding window.
   */
  attention(
    out: Float32Array,
    q: Float32Array,
    keys: Float32Array,
    values: Float32Array,
    tokens: number,
    start: number,
    numHeads: number,
    numKvHeads: number,
    headDim: number,
    options?: AttentionOptions,
  ): Promise<void>;
  /** gate[i] = silu(gate[i]) * up[i], with silu(g) = g / (1 + exp(-g)): SwiGLU's activation. */
  siluMul(gate: Float32Array, up: Float32Array, length: number): Promise<void>;
  dispose(): Promise<void>;
}

export type ComputeBackendKind = "wasm" | "js";

/** The attention variants some architectures need (Gemma, Mistral, Phi-3). */
export interface AttentionOptions {
  /** Multiplies q.k (default 1/sqrt(headDim)). */
  scale?: number;
  /** Each scaled score s becomes softCap * tanh(s / softCap) before the softmax (Gemma 2). */
  softCap?: number | null;
  /** Position p attends only to positions p - window + 1 .. p (default: all earlier ones). */
  window?: number | null;
}

/** Whether the options ask for anything beyond plain 1/sqrt(headDim) causal attention. */
export function isPlainAttention(options: AttentionOptions | undefined, headDim: number): boolean {
  return (
    !options ||
    ((options.scale === undefined || options.scale === 1 / Math.sqrt(headDim)) &&
      (options.softCap ?? null) === null &&
      (options.window ?? null) === null)
  );
}

/** The error for a weight type a backend's matmul does not read (the loader should have decoded it). */
export function unsupportedWeightType(kind: ComputeBackendKind, type: WeightType): RangeError {
  return new RangeError(
    `${kind} backend: matmul has no kernel for ${type} weights; decode them to f32 first`,
  );
}

export interface ComputeBackendOptions {
  /** Threads to use (wasm only); defaults to the number of CPU cores. */
  threads?: number;
  kind?: ComputeBackendKind;
}

/**
 * The shape checks every backend runs before a kernel touches memory. A mismatch is a programming
 * error in the runtime, so a plain RangeError is right.
 */
export function checkMatmulShapes(
  out: Float32Array,
  x: Float32Array,
  w: WeightMatrix,
  rows: number,
  bias?: Float32Array,
): void {
  const { cols: inDim, rows: outDim } = w;
  if (x.length < rows * inDim)
    throw new RangeError(`matmul: x has ${x.length} floats, needs ${rows}x${inDim}`);
  const weightBytes = outDim * weightRowBytes(w.type, inDim);
  if (w.data.length < weightBytes)
    throw new RangeError(
      `matmul: w has ${w.data.length} bytes, needs ${weightBytes} for ${outDim}x${inDim} ${w.type}`,
    );
  if (out.length < rows * outDim)
    throw new RangeError(`matmul: out has ${out.length} floats, needs ${rows}x${outDim}`);
  if (bias && bias.length < outDim)
    throw new RangeError(`matmul: bias has ${bias.length} floats, needs ${outDim}`);
}

export function checkAttentionShapes(
  out: Float32Array,
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  tokens: number,
  start: number,
  numHeads: number,
  numKvHeads: number,
  headDim: number,
): void {
  if (numKvHeads <= 0 || numHeads % numKvHeads !== 0)
    throw new RangeError(`attention: ${numHeads} heads do not group over ${numKvHeads} KV heads`);
  const qLength = tokens * numHeads * headDim;
  const kvLength = (start + tokens) * numKvHeads * headDim;
  if (q.length < qLength) throw new RangeError(`attention: q has ${q.length} floats, needs ${qLength}`);
  if (out.length < qLength) throw new RangeError(`attention: out has ${out.length} floats, needs ${qLength}`);
  if (keys.length < kvLength)
    throw new RangeError(`attention: keys have ${keys.length} floats, needs ${kvLength}`);
  if (values.length < kvLength)
    throw new RangeError(`attention: values have ${values.length} floats, needs ${kvLength}`);
}

export function checkSiluMulShapes(gate: Float32Array, up: Float32Array, length: number): void {
  if (gate.length < length || up.length < length)
    throw new RangeError(`siluMul: gate has ${gate.length} and up ${up.length} floats, needs ${length}`);
}
