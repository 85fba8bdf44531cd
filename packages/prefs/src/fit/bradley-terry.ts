import type { PairTable } from "./pair-table.js";

export interface BradleyTerryOptions {
  /**
   * Symmetric prior, as virtual comparisons: every activity plays `prior` games against a
   * reference of strength 0 and wins half of them. It keeps an activity that wins (or loses) everything finite and
   * shrinks little once an activity has a few real comparisons. Must be > 0 (default 0.5): the
   * plain MLE (prior 0) has no finite maximum when an activity wins or loses every comparison,
   * and its strengths are defined only up to a constant, so it is refused.
   */
  prior?: number;
  /** Fit a first-position advantage: P(first chosen) = sigmoid(s_first - s_second + bias). */
  positionBias?: boolean;
  /** Extra games against the strength-0 reference per activity (e.g. refusals counted as losses). */
  referenceGames?: { count: ArrayLike<number>; wins: ArrayLike<number> };
  /** Parameters to start Newton from (a previous fit's `parameters`): bootstrap fits converge in a few steps. */
  start?: Float64Array;
  maxIterations?: number;
  tolerance?: number;
}

export interface BradleyTerryFit {
  /** Log-strengths centred to mean 0. */
  strength: Float64Array;
  /** Log-odds advantage of the first option (0 when not fitted). */
  positionBias: number;
  /** Raw Newton parameters (strengths before centring, then the bias when fitted), for warm starts. */
  parameters: Float64Array;
  logPosterior: number;
  iterations: number;
}

function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * Maximum a posteriori Bradley-Terry fit of soft outcomes (a probability counts as a fractional
 * win, a tie as half a win) by Newton's method with step halving. The log posterior is strictly
 * concave whenever prior > 0, so the maximum is unique and Newton converges from any start.
 */
export function fitBradleyTerry(table: PairTable, opts: BradleyTerryOptions = {}): BradleyTerryFit {
  const prior = opts.prior ?? 0.5;
  if (!(prior > 0)) throw new RangeError(`Bradley-Terry prior must be > 0, got ${prior}`);
  const withBias = opts.positionBias ?? true;
  const n = table.size;
  const dim = n + (withBias ? 1 : 0);
  const refCount = new Float64Array(n).fill(prior);
  const refWins = new Float64Array(n).fill(prior / 2);
  if (opts.referenceGames) {
    for (let i = 0; i < n; i++) {
      refCount[i] += opts.referenceGames.count[i];
      refWins[i] += opts.referenceGames.wins[i];
    }
  }
  const maxIterations = opts.maxIterations ?? 100;
  const tolerance = opts.tolerance ?? 1e-9;

  const params = opts.start ? Float64Array.from(opts.start) : new Float64Array(dim);
  if (params.length !== dim) throw new RangeError(`start has ${params.length} parameters, expected ${dim}`);

  const gradient = new Float64Array(dim);
  const hessian = new Float64Array(dim * dim);
  const step = new Float64Array(dim);
  const accepted = Float64Array.from(params);

  /**
   * Log posterior, gradient and negative Hessian at `params`, in one pass over the pairs (the
   * exp/log per pair dominate the cost, so each is computed once per point).
   */
  const evaluate = (): number => {
    gradient.fill(0);
    hessian.fill(0);
    const bias = withBias ? params[n] : 0;
    let total = 0;
    for (let k = 0; k < table.count.length; k++) {
      const count = table.count[k];
      if (count === 0) continue;
      const i = table.first[k];
      const j = table.second[k];
      const d = params[i] - params[j] + bias;
      // w log sigmoid(d) + (c - w) log sigmoid(-d) = c log sigmoid(d) - (c - w) d
      const e = Math.exp(-Math.abs(d));
      const p = d >= 0 ? 1 / (1 + e) : e / (1 + e);
      total += count * (Math.min(d, 0) - Math.log1p(e)) - (count - table.winsFirst[k]) * d;
      const r = table.winsFirst[k] - count * p;
      const h = count * p * (1 - p);
      gradient[i] += r;
      gradient[j] -= r;
      hessian[i * dim + i] += h;
      hessian[j * dim + j] += h;
      hessian[i * dim + j] -= h;
      hessian[j * dim + i] -= h;
      if (withBias) {
        gradient[n] += r;
        hessian[n * dim + n] += h;
        hessian[i * dim + n] += h;
        hessian[n * dim + i] += h;
        hessian[j * dim + n] -= h;
        hessian[n * dim + j] -= h;
      }
    }
    for (let i = 0; i < n; i++) {
      const p = sigmoid(params[i]);
      total += refWins[i] * logSigmoid(params[i]) + (refCount[i] - refWins[i]) * logSigmoid(-params[i]);
      gradient[i] += refWins[i] - refCount[i] * p;
      hessian[i * dim + i] += refCount[i] * p * (1 - p);
    }
    if (withBias) {
      const p = sigmoid(params[n]);
      total += (prior / 2) * (logSigmoid(params[n]) + logSigmoid(-params[n]));
      gradient[n] += (prior / 2) * (1 - 2 * p);
      hessian[n * dim + n] += prior * p * (1 - p);
    }
    return total;
  };

  // Newton with step halving: a step that lowers the posterior is retried at half length from
  // the last accepted point (rare: the posterior is concave and smooth).
  let current = evaluate();
  let scale = 1;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    solveSymmetricPositiveDefinite(hessian, gradient, step, dim);
    let largest = 0;
    for (let d = 0; d < dim; d++) largest = Math.max(largest, Math.abs(step[d]));
    accepted.set(params);
    scale = 1;
    let next = current;
    for (let halvings = 0; halvings < 40; halvings++) {
      for (let d = 0; d < dim; d++) params[d] = accepted[d] + scale * step[d];
      next = evaluate();
      if (next >= current - 1e-12 * Math.abs(current)) break;
      scale /= 2;
    }
    current = next;
    if (largest * scale < tolerance) {
      iterations++;
      break;
    }
  }

  const strength = params.slice(0, n);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += strength[i];
  mean /= n || 1;
  for (let i = 0; i < n; i++) strength[i] -= mean;
  return {
    strength,
    positionBias: withBias ? params[n] : 0,
    parameters: params,
    logPosterior: current,
    iterations,
  };
}

/** Solves A x = b in place for a symmetric positive definite A (row-major, dim x dim) by Cholesky. */
function solveSymmetricPositiveDefinite(
  a: Float64Array,
  b: Float64Array,
  x: Float64Array,
  dim: number,
): void {
  const l = a; // factor in place: the Hessian is rebuilt every iteration anyway
  for (let j = 0; j < dim; j++) {
    let diagonal = l[j * dim + j];
    for (let k = 0; k < j; k++) diagonal -= l[j * dim + k] * l[j * dim + k];
    if (!(diagonal > 0))
      throw new RangeError("Bradley-Terry Hessian is not positive definite (prior must be > 0)");
    const root = Math.sqrt(diagonal);
    l[j * dim + j] = root;
    for (let i = j + 1; i < dim; i++) {
      let sum = l[i * dim + j];
      for (let k = 0; k < j; k++) sum -= l[i * dim + k] * l[j * dim + k];
      l[i * dim + j] = sum / root;
    }
  }
  for (let i = 0; i < dim; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * dim + k] * x[k];
    x[i] = sum / l[i * dim + i];
  }
  for (let i = dim - 1; i >= 0; i--) {
    let sum = x[i];
    for (let k = i + 1; k < dim; k++) sum -= l[k * dim + i] * x[k];
    x[i] = sum / l[i * dim + i];
  }
}
