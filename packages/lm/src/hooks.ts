import { PvaError } from "@pva/core";

/** TransformerLens names for the residual stream: before/inside/after each block, and after the final norm. */
export type HookSite =
  | `blocks.${number}.hook_resid_pre`
  | `blocks.${number}.hook_resid_mid`
  | `blocks.${number}.hook_resid_post`
  | "ln_final.hook_normalized";

/** Adds `scale * vector` to the residual at `site` for absolute positions [start, end). */
export interface SteerSpec {
  site: string;
  vector: Float32Array;
  positions: { start: number; end: number };
  scale: number;
}

const SITE = /^blocks\.(\d+)\.hook_resid_(pre|mid|post)$/;

/** Where in the forward pass a site sits, as an index: layer L's pre/mid/post = 3L, 3L+1, 3L+2. */
function siteIndex(site: string, numLayers: number): number {
  if (site === "ln_final.hook_normalized") return 3 * numLayers;
  const m = SITE.exec(site);
  if (!m || Number(m[1]) >= numLayers)
    throw new PvaError(
      `hook site ${JSON.stringify(site)}: expected blocks.{0..${numLayers - 1}}.hook_resid_pre|mid|post or ln_final.hook_normalized`,
      "E_HOOK_SITE",
    );
  return 3 * Number(m[1]) + ["pre", "mid", "post"].indexOf(m[2]);
}

/** The steering and captures of one forward call, grouped by site for O(1) lookup per site. */
export class HookPlan {
  readonly steerAt = new Map<number, SteerSpec[]>();
  readonly captureAt = new Map<number, string>();

  constructor(
    capture: readonly string[],
    steer: readonly SteerSpec[],
    numLayers: number,
    hiddenSize: number,
  ) {
    for (const site of capture) this.captureAt.set(siteIndex(site, numLayers), site);
    for (const s of steer) {
      const index = siteIndex(s.site, numLayers);
      if (s.vector.length !== hiddenSize)
        throw new PvaError(
          `steer at ${s.site}: vector has ${s.vector.length} values, the model's hidden size is ${hiddenSize}`,
          "E_STEER",
        );
      if (!(s.positions.start >= 0 && s.positions.end >= s.positions.start))
        throw new PvaError(
          `steer at ${s.site}: positions ${JSON.stringify(s.positions)} must satisfy 0 <= start <= end`,
          "E_STEER",
        );
      const list = this.steerAt.get(index) ?? [];
      list.push(s);
      this.steerAt.set(index, list);
    }
  }

  /**
   * Runs the hooks of one site on this call's residual rows (`rows` x hidden, first row at
   * absolute position `firstPosition`): steering first, so captures see what flows on.
   */
  apply(
    index: number,
    x: Float32Array,
    rows: number,
    hidden: number,
    firstPosition: number,
    captures: Map<string, Float32Array>,
  ): void {
    const steers = this.steerAt.get(index);
    if (steers) {
      for (const s of steers) {
        const from = Math.max(s.positions.start, firstPosition);
        const to = Math.min(s.positions.end, firstPosition + rows);
        for (let p = from; p < to; p++) {
          const base = (p - firstPosition) * hidden;
          for (let i = 0; i < hidden; i++) x[base + i] += s.scale * s.vector[i];
        }
      }
    }
    const site = this.captureAt.get(index);
    if (site !== undefined) captures.set(site, x.slice(0, rows * hidden));
  }
}
