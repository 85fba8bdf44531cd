import { PCA } from "ml-pca";

/** The leading principal directions of neutral-text activations, which carry what is not emotion. */
export interface NeutralSubspace {
  /** Orthonormal directions, strongest first. */
  components: Float64Array[];
  /** Share of the neutral activations' variance that `components` explain together. */
  explainedShare: number;
}

/**
 * The fewest principal components of the neutral activations (one row per neutral text) that
 * together explain at least `varianceShare` of their variance. Share 0 removes nothing.
 */
export function neutralSubspace(
  activations: readonly ArrayLike<number>[],
  varianceShare: number,
): NeutralSubspace {
  if (varianceShare <= 0 || activations.length < 2) return { components: [], explainedShare: 0 };
  const pca = new PCA(
    activations.map((row) => Array.from(row)),
    { center: true, scale: false },
  );
  const shares = pca.getExplainedVariance();
  const eigenvectors = pca.getEigenvectors();
  const components: Float64Array[] = [];
  let explained = 0;
  for (let k = 0; k < shares.length && explained < varianceShare - 1e-12; k++) {
    components.push(Float64Array.from(eigenvectors.getColumn(k)));
    explained += shares[k];
  }
  return { components, explainedShare: explained };
}

/** v minus its projection on each (orthonormal) component. */
export function projectOut(vector: ArrayLike<number>, components: readonly Float64Array[]): Float64Array {
  const out = Float64Array.from(vector);
  for (const u of components) {
    let dot = 0;
    for (let i = 0; i < out.length; i++) dot += out[i] * u[i];
    for (let i = 0; i < out.length; i++) out[i] -= dot * u[i];
  }
  return out;
}
