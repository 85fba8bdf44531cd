// ggml's make_qkx2_quants (the scale search of Q4_K/Q5_K's reference quantizer) in WebAssembly,
// where float32 arithmetic is native; step for step src/weight-codecs/k-quant-search.ts's
// makeQkx2Quants (same candidate order, same roundings, same shortcuts), so the codes are
// ggml's. The caller writes n values and weights at inputs(), calls makeQkx2Quants, and reads
// the codes at codes() and the scale and min from scale() and min().

const CAPACITY: i32 = 256;
const X: usize = memory.data(CAPACITY * 4, 16);
const WEIGHTS: usize = memory.data(CAPACITY * 4, 16);
const XM: usize = memory.data(CAPACITY * 4, 16);
const L: usize = memory.data(CAPACITY, 16);
const LAUX: usize = memory.data(CAPACITY, 16);
const LAST: usize = memory.data(CAPACITY, 16);
const ROUNDER: f32 = 12582912.0;

let resultScale: f32 = 0;
let resultMin: f32 = 0;

export function capacity(): i32 {
  return CAPACITY;
}
export function inputs(): usize {
  return X;
}
export function weightsAt(): usize {
  return WEIGHTS;
}
export function codes(): usize {
  return L;
}
export function scale(): f32 {
  return resultScale;
}
export function min(): f32 {
  return resultMin;
}

function xAt(i: i32): f32 {
  return load<f32>(X + ((<usize>i) << 2));
}
function wAt(i: i32): f32 {
  return load<f32>(WEIGHTS + ((<usize>i) << 2));
}
function code(v: f32, nmax: f32): f32 {
  let l: f32 = v + ROUNDER - ROUNDER;
  if (l < 0) l = 0;
  else if (l > nmax) l = nmax;
  return l;
}

export function makeQkx2Quants(n: i32, nmaxInt: i32, rmin: f32, rdelta: f32, nstep: i32): void {
  const nmax = <f32>nmaxInt;
  let mn = xAt(0);
  let mx = xAt(0);
  let sumW = wAt(0);
  let sumX: f32 = sumW * xAt(0);
  for (let i = 1; i < n; i++) {
    const v = xAt(i);
    if (v < mn) mn = v;
    if (v > mx) mx = v;
    const w = wAt(i);
    sumW = sumW + w;
    sumX = sumX + w * v;
  }
  if (mn > 0) mn = 0;
  if (mx === mn) {
    memory.fill(L, 0, <usize>n);
    resultScale = 0;
    resultMin = -mn;
    return;
  }
  for (let i = 0; i < n; i++) store<f32>(XM + ((<usize>i) << 2), xAt(i) - mn);
  let iscale: f32 = nmax / (mx - mn);
  let sc: f32 = 1 / iscale;
  let bestError: f32 = 0;
  for (let i = 0; i < n; i++) {
    const l = code(iscale * load<f32>(XM + ((<usize>i) << 2)), nmax);
    store<u8>(L + <usize>i, <u8>l);
    const diff: f32 = sc * l + mn - xAt(i);
    bestError = bestError + wAt(i) * (diff * diff);
  }
  for (let is = 0; is <= nstep; is++) {
    iscale = (rmin + rdelta * <f32>is + nmax) / (mx - mn);
    let same = is > 0;
    for (let i = 0; i < n; i++) {
      const l = <u8>code(iscale * load<f32>(XM + ((<usize>i) << 2)), nmax);
      if (l !== load<u8>(LAST + <usize>i)) same = false;
      store<u8>(LAUX + <usize>i, l);
    }
    if (same) continue;
    let sumL: f32 = 0;
    let sumL2: f32 = 0;
    let sumXL: f32 = 0;
    for (let i = 0; i < n; i++) {
      const lb = load<u8>(LAUX + <usize>i);
      store<u8>(LAST + <usize>i, lb);
      const l = <f32>lb;
      const wl: f32 = wAt(i) * l;
      sumL = sumL + wl;
      sumL2 = sumL2 + wl * l;
      sumXL = sumXL + wl * xAt(i);
    }
    const D: f32 = sumW * sumL2 - sumL * sumL;
    if (D > 0) {
      let thisScale: f32 = (sumW * sumXL - sumX * sumL) / D;
      let thisMin: f32 = (sumL2 * sumX - sumL * sumXL) / D;
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = sumXL / sumL2;
      }
      let error: f32 = 0;
      for (let i = 0; i < n && error < bestError; i++) {
        const diff: f32 = thisScale * <f32>load<u8>(LAUX + <usize>i) + thisMin - xAt(i);
        error = error + wAt(i) * (diff * diff);
      }
      if (error < bestError) {
        memory.copy(L, LAUX, <usize>n);
        bestError = error;
        sc = thisScale;
        if (thisMin !== mn) {
          mn = thisMin;
          for (let i = 0; i < n; i++) store<f32>(XM + ((<usize>i) << 2), xAt(i) - mn);
        }
      }
    }
  }
  resultScale = sc;
  resultMin = -mn;
}
