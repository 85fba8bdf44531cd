import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GROUP_MAX_EPS } from "./ggml-float.js";

/**
 * The scale searches of ggml's K-quant reference quantizers (make_qkx2_quants for Q4_K/Q5_K,
 * make_qx_quants for Q6_K), in float32 step for step so that the chosen codes match ggml's.
 */

/** The result of makeQkx2Quants besides the codes: value = scale * code - min. */
export interface ScaleMin {
  scale: number;
  min: number;
}

/** 1.5 * 2^23: adding it in float32 rounds to an integer, halves to even (ggml's nearest_int). */
const ROUNDER = 12582912;

/** Scratch of the searches (one module instance per thread, so never shared between calls in flight). */
let shifted = new Float32Array(32);
let previous = new Uint8Array(32);
let candidate = new Int8Array(32);

function scratchFor(n: number): void {
  if (shifted.length >= n) return;
  shifted = new Float32Array(n);
  previous = new Uint8Array(n);
  candidate = new Int8Array(n);
}

/**
 * Codes 0..nmax for n values with a scale and a non-negative min (x ~ scale * L - min) that
 * minimise the weighted squared error, trying nstep + 1 candidate scales around (max - min) / nmax.
 *
 * Written for speed but step for step ggml's: x - min is kept rounded to float32 (as C computes
 * it inside the loop) until min moves, and a candidate whose codes equal the previous
 * candidate's is skipped, since every sum and the error it would give are that candidate's
 * again, which was either taken (so this error is not smaller than the best) or not; and a
 * candidate's error stops being summed once it reaches the best.
 */
export function makeQkx2Quants(
  n: number,
  nmax: number,
  x: Float32Array,
  xOffset: number,
  weights: Float32Array,
  L: Uint8Array,
  lOffset: number,
  Laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
  out: ScaleMin,
): void {
  const wasm = n <= 256 ? kQuantWasm() : null;
  if (!wasm) {
    makeQkx2QuantsJs(n, nmax, x, xOffset, weights, L, lOffset, Laux, rmin, rdelta, nstep, out);
    return;
  }
  wasm.x.set(x.subarray(xOffset, xOffset + n));
  wasm.weights.set(weights.subarray(0, n));
  wasm.exports.makeQkx2Quants(n, nmax, rmin, rdelta, nstep);
  L.set(wasm.codes.subarray(0, n), lOffset);
  out.scale = wasm.exports.scale();
  out.min = wasm.exports.min();
}

/** makeQkx2Quants in TypeScript: the one used where dist/k-quant-search.wasm is not built. */
export function makeQkx2QuantsJs(
  n: number,
  nmax: number,
  x: Float32Array,
  xOffset: number,
  weights: Float32Array,
  L: Uint8Array,
  lOffset: number,
  Laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
  out: ScaleMin,
): void {
  const fround = Math.fround;
  let min = x[xOffset];
  let max = x[xOffset];
  let sumW = weights[0];
  let sumX = fround(sumW * x[xOffset]);
  for (let i = 1; i < n; i++) {
    const v = x[xOffset + i];
    if (v < min) min = v;
    if (v > max) max = v;
    const w = weights[i];
    sumW = fround(sumW + w);
    sumX = fround(sumX + fround(w * v));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, lOffset, lOffset + n);
    out.scale = 0;
    out.min = -min;
    return;
  }
  scratchFor(n);
  const xm = shifted;
  const last = previous;
  for (let i = 0; i < n; i++) xm[i] = x[xOffset + i] - min;
  let iscale = fround(nmax / fround(max - min));
  let scale = fround(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    let l = fround(fround(iscale * xm[i]) + ROUNDER) - ROUNDER;
    if (l < 0) l = 0;
    else if (l > nmax) l = nmax;
    L[lOffset + i] = l;
    const diff = fround(fround(fround(scale * l) + min) - x[xOffset + i]);
    bestError = fround(bestError + fround(weights[i] * fround(diff * diff)));
  }
  for (let is = 0; is <= nstep; is++) {
    // min moves to each better candidate's min, and later candidates are measured from it (as in ggml).
    iscale = fround(fround(fround(rmin + fround(rdelta * is)) + nmax) / fround(max - min));
    let same = is > 0;
    for (let i = 0; i < n; i++) {
      let l = fround(fround(iscale * xm[i]) + ROUNDER) - ROUNDER;
      if (l < 0) l = 0;
      else if (l > nmax) l = nmax;
      if (l !== last[i]) same = false;
      Laux[i] = l;
    }
    if (same) continue;
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = Laux[i];
      last[i] = l;
      const wl = fround(weights[i] * l);
      sumL = fround(sumL + wl);
      sumL2 = fround(sumL2 + fround(wl * l));
      sumXL = fround(sumXL + fround(wl * x[xOffset + i]));
    }
    const D = fround(fround(sumW * sumL2) - fround(sumL * sumL));
    if (D > 0) {
      let thisScale = fround(fround(fround(sumW * sumXL) - fround(sumX * sumL)) / D);
      let thisMin = fround(fround(fround(sumL2 * sumX) - fround(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = fround(sumXL / sumL2);
      }
      // Each term is >= 0 and rounding is monotonic, so the running sum never falls: once it
      // reaches the best error this candidate cannot win, and the rest need not be added.
      let error = 0;
      for (let i = 0; i < n && error < bestError; i++) {
        const diff = fround(fround(fround(thisScale * Laux[i]) + thisMin) - x[xOffset + i]);
        error = fround(error + fround(weights[i] * fround(diff * diff)));
      }
      if (error < bestError) {
        for (let i = 0; i < n; i++) L[lOffset + i] = Laux[i];
        bestError = error;
        scale = thisScale;
        if (thisMin !== min) {
          min = thisMin;
          for (let i = 0; i < n; i++) xm[i] = x[xOffset + i] - min;
        }
      }
    }
  }
  out.scale = scale;
  out.min = -min;
}

/**
 * Signed codes -nmax..nmax-1 (stored + nmax) for n values with one scale, weighting each value
 * by its square (rmse_type 1), trying 19 candidate scales. Returns the scale. As in
 * makeQkx2Quants, a candidate whose codes equal the last evaluated ones is skipped: its sums
 * are those again, so it is taken or not exactly as they were, and taking it again changes nothing.
 */
export function makeQxQuants(
  n: number,
  nmax: number,
  x: Float32Array,
  xOffset: number,
  L: Int8Array,
  lOffset: number,
): number {
  const fround = Math.fround;
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[xOffset + i]);
    if (ax > amax) {
      amax = ax;
      max = x[xOffset + i];
    }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, lOffset, lOffset + n);
    return 0;
  }
  scratchFor(n);
  const codes = candidate;
  let iscale = fround(-nmax / max);
  let sumLX = 0;
  let sumL2 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xOffset + i];
    let l = fround(fround(iscale * v) + ROUNDER) - ROUNDER;
    if (l < -nmax) l = -nmax;
    else if (l > nmax - 1) l = nmax - 1;
    L[lOffset + i] = l + nmax;
    codes[i] = l;
    const w = fround(v * v);
    sumLX = fround(sumLX + fround(fround(w * v) * l));
    sumL2 = fround(sumL2 + fround(fround(w * l) * l));
  }
  let scale = sumL2 ? fround(sumLX / sumL2) : 0;
  let best = fround(scale * sumLX);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = fround(-fround(nmax + fround(fround(0.1) * is)) / max);
    let same = true;
    for (let i = 0; i < n; i++) {
      let l = fround(fround(iscale * x[xOffset + i]) + ROUNDER) - ROUNDER;
      if (l < -nmax) l = -nmax;
      else if (l > nmax - 1) l = nmax - 1;
      if (l !== codes[i]) {
        same = false;
        codes[i] = l;
      }
    }
    if (same) continue;
    sumLX = 0;
    sumL2 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[xOffset + i];
      const l = codes[i];
      const w = fround(v * v);
      sumLX = fround(sumLX + fround(fround(w * v) * l));
      sumL2 = fround(sumL2 + fround(fround(w * l) * l));
    }
    if (sumL2 > 0 && fround(sumLX * sumLX) > fround(best * sumL2)) {
      for (let i = 0; i < n; i++) L[lOffset + i] = nmax + codes[i];
      scale = fround(sumLX / sumL2);
      best = fround(scale * sumLX);
    }
  }
  return scale;
}

/**
 * Q4_K/Q5_K keep 8 six-bit scales and 8 six-bit mins in 12 bytes: bytes 0-3 hold scales 0-3,
 * bytes 4-7 mins 0-3, bytes 8-11 the low nibbles of scales/mins 4-7, whose top two bits sit in
 * the top bits of bytes 0-7 (ggml's get_scale_min_k4).
 */
export function packScalesMins(scales: Uint8Array, mins: Uint8Array, dst: Uint8Array, offset: number): void {
  for (let j = 0; j < 8; j++) {
    const ls = scales[j];
    const lm = mins[j];
    if (j < 4) {
      dst[offset + j] = ls;
      dst[offset + j + 4] = lm;
    } else {
      dst[offset + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
      dst[offset + j - 4] |= (ls >> 4) << 6;
      dst[offset + j] |= (lm >> 4) << 6;
    }
  }
}

/** Scale (index 0) and min (index 1) of sub-block j from packed bytes at `offset`. */
export function scaleMinK4(j: number, q: Uint8Array, offset: number, out: Uint8Array): void {
  if (j < 4) {
    out[0] = q[offset + j] & 63;
    out[1] = q[offset + j + 4] & 63;
  } else {
    out[0] = (q[offset + j + 4] & 0xf) | ((q[offset + j - 4] >> 6) << 4);
    out[1] = (q[offset + j + 4] >> 4) | ((q[offset + j] >> 6) << 4);
  }
}

interface KQuantExports {
  memory: WebAssembly.Memory;
  inputs(): number;
  weightsAt(): number;
  codes(): number;
  makeQkx2Quants(n: number, nmax: number, rmin: number, rdelta: number, nstep: number): void;
  scale(): number;
  min(): number;
}

let kQuant:
  | { exports: KQuantExports; x: Float32Array; weights: Float32Array; codes: Uint8Array }
  | null
  | undefined;

/** Which makeQkx2Quants runs: the WebAssembly build, or the TypeScript one where it is not built. */
export function kQuantSearchKind(): "wasm" | "js" {
  return kQuantWasm() ? "wasm" : "js";
}

/**
 * assembly/k-quant-search.ts as built into dist/ (found from src/ and from the bundle alike), one
 * instance per thread; null where it is not built (the TypeScript search runs instead) or when
 * PVA_KQUANT_JS is set (to measure or test the TypeScript one).
 */
function kQuantWasm(): typeof kQuant {
  if (kQuant !== undefined) return kQuant;
  kQuant = null;
  if (process.env.PVA_KQUANT_JS) return kQuant;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) return kQuant;
    dir = parent;
  }
  const file = join(dir, "dist", "k-quant-search.wasm");
  if (!existsSync(file)) return kQuant;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), {});
  const exports = instance.exports as unknown as KQuantExports;
  const buffer = exports.memory.buffer;
  kQuant = {
    exports,
    x: new Float32Array(buffer, exports.inputs(), 256),
    weights: new Float32Array(buffer, exports.weightsAt(), 256),
    codes: new Uint8Array(buffer, exports.codes(), 256),
  };
  return kQuant;
}
