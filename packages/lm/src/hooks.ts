import { PvaError } from "@pva/core";
import { type HookSite, siteSlot } from "./hook-site.js";
import type { SteerSpec } from "./steering-vector.js";

/** The steering and captures of one forward call, grouped by hook place (`siteSlot`) for O(1) lookup per place. */
export class HookPlan {
  readonly steerAt = new Map<number, SteerSpec[]>();
  readonly captureAt = new Map<number, HookSite>();

  constructor(
    capture: readonly HookSite[],
    steer: readonly SteerSpec[],
    numLayers: number,
    hiddenSize: number,
  ) {
    for (const site of capture) this.captureAt.set(siteSlot(site, numLayers), site);
    for (const s of steer) {
      const slot = siteSlot(s.site, numLayers);
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
      const list = this.steerAt.get(slot) ?? [];
      list.push(s);
      this.steerAt.set(slot, list);
    }
  }

  /**
   * Runs the hooks at one place (`blockSlot`/`finalSlot`) on this call's residual rows (`rows` x hidden, first row at
   * absolute position `firstPosition`): steering first, so captures see what flows on.
   */
  apply(
    slot: number,
    x: Float32Array,
    rows: number,
    hidden: number,
    firstPosition: number,
    captures: Map<HookSite, Float32Array>,
  ): void {
    const steers = this.steerAt.get(slot);
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
    const site = this.captureAt.get(slot);
    if (site !== undefined) captures.set(site, x.slice(0, rows * hidden));
  }
}
