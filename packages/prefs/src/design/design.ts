import type { Outcome } from "../fit/pair-table.js";

/** An ordered pair of activity indices: `a` is shown as option (A). */
export interface OrderedPair {
  a: number;
  b: number;
}

/**
 * Which ordered pairs to ask next, given every outcome so far. `next` returns an empty batch when
 * the design is done. Designs are deterministic given their seed and the outcomes, so a resumed
 * run asks the same pairs again (and finds them already answered).
 */
export interface Design {
  /** Ordered pairs the design expects to ask in total (for progress bars). */
  readonly plannedComparisons: number;
  next(outcomes: readonly Outcome[]): OrderedPair[];
  /**
   * After `next` returned an empty batch: why the design stopped short of `plannedComparisons`
   * (an active design whose ranking stopped changing), or null when it asked all it planned.
   */
  stopReason?(): string | null;
}
