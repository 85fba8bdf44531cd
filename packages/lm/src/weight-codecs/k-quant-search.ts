import { f, GROUP_MAX_EPS, nearestInt } from "./ggml-float.js";

/**
 * The scale searches of ggml's K-quant reference quantizers (make_qkx2_quants for Q4_K/Q5_K,
 * make_qx_quants for Q6_K), in float32 step for step so that the chosen codes match ggml's.
 */

/** The result of makeQkx2Quants besides the codes: value = scale * code - min. */
export interface ScaleMin {
  scale: number;
  min: number;
}

/**
 * Codes 0..nmax for n values with a scale and a non-negative min (x ~ scale * L - min) that
 * minimise the weighted squared error, trying nstep + 1 candidate scales around (max - min) / nmax.
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
  let min = x[xOffset];
  let max = x[xOffset];
  let sumW = weights[0];
  let sumX = f(sumW * x[xOffset]);
  for (let i = 1; i < n; i++) {
    const v = x[xOffset + i];
    if (v < min) min = v;
    if (v > max) max = v;
    const w = weights[i];
    sumW = f(sumW + w);
    sumX = f(sumX + f(w * v));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, lOffset, lOffset + n);
    out.scale = 0;
    out.min = -min;
    return;
  }
  let iscale = f(nmax / f(max - min));
  let scale = f(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xOffset + i];
    const l = Math.max(0, Math.min(nmax, nearestInt(f(iscale * f(v - min)))));
    L[lOffset + i] = l;
    const diff = f(f(f(scale * l) + min) - v);
    bestError = f(bestError + f(weights[i] * f(diff * diff)));
  }
  for (let is = 0; is <= nstep; is++) {
    // min moves to each better candidate's min, and later candidates are measured from it (as in ggml).
    iscale = f(f(f(rmin + f(rdelta * is)) + nmax) / f(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const v = x[xOffset + i];
      const l = Math.max(0, Math.min(nmax, nearestInt(f(iscale * f(v - min)))));
      Laux[i] = l;
      const wl = f(weights[i] * l);
      sumL = f(sumL + wl);
      sumL2 = f(sumL2 + f(wl * l));
      sumXL = f(sumXL + f(wl * v));
    }
    const D = f(f(sumW * sumL2) - f(sumL * sumL));
    if (D > 0) {
      let thisScale = f(f(f(sumW * sumXL) - f(sumX * sumL)) / D);
      let thisMin = f(f(f(sumL2 * sumX) - f(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = f(sumXL / sumL2);
      }
      let error = 0;
      for (let i = 0; i < n; i++) {
        const diff = f(f(f(thisScale * Laux[i]) + thisMin) - x[xOffset + i]);
        error = f(error + f(weights[i] * f(diff * diff)));
      }
      if (error < bestError) {
        for (let i = 0; i < n; i++) L[lOffset + i] = Laux[i];
        bestError = error;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  out.scale = scale;
  out.min = -min;
}

/**
 * Signed codes -nmax..nmax-1 (stored + nmax) for n values with one scale, weighting each value
 * by its square (rmse_type 1), trying 19 candidate scales. Returns the scale.
 */
export function makeQxQuants(
  n: number,
  nmax: number,
  x: Float32Array,
  xOffset: number,
  L: Int8Array,
  lOffset: number,
): number {
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
  let iscale = f(-nmax / max);
  let sumLX = 0;
  let sumL2 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xOffset + i];
    const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(f(iscale * v))));
    L[lOffset + i] = l + nmax;
    const w = f(v * v);
    sumLX = f(sumLX + f(f(w * v) * l));
    sumL2 = f(sumL2 + f(f(w * l) * l));
  }
  let scale = sumL2 ? f(sumLX / sumL2) : 0;
  let best = f(scale * sumLX);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = f(-f(nmax + f(f(0.1) * is)) / max);
    sumLX = 0;
    sumL2 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[xOffset + i];
      const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(f(iscale * v))));
      const w = f(v * v);
      sumLX = f(sumLX + f(f(w * v) * l));
      sumL2 = f(sumL2 + f(f(w * l) * l));
    }
    if (sumL2 > 0 && f(sumLX * sumLX) > f(best * sumL2)) {
      for (let i = 0; i < n; i++)
        L[lOffset + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(f(iscale * x[xOffset + i]))));
      scale = f(sumLX / sumL2);
      best = f(scale * sumLX);
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
