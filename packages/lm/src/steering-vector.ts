import type { HookSite } from "./hook-site.js";

/** One vector added to the residual stream at a hook site: `scale * vector` at each steered position. */
export interface SteeringVector {
  site: HookSite;
  vector: Float32Array;
  scale: number;
}

/** Adds `scale * vector` to the residual at `site` for absolute positions [start, end). */
export interface SteerSpec extends SteeringVector {
  positions: { start: number; end: number };
}

/**
 * What one steered preference tournament adds: the vectors, on the tokens of the steered
 * activities' text only (by activity id). analysis builds it (runSteering's tournament receives
 * it) and prefs applies it (elicit's `steer`), so the two packages share this one definition.
 */
export interface TournamentSteering {
  activityIds: ReadonlySet<string>;
  vectors: SteeringVector[];
}
