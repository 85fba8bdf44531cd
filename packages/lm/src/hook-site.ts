import { PvaError } from "@pva/core";

/** TransformerLens names for the residual stream: before/inside/after each block, and after the final norm. */
export type HookSite =
  | `blocks.${number}.hook_resid_pre`
  | `blocks.${number}.hook_resid_mid`
  | `blocks.${number}.hook_resid_post`
  | "ln_final.hook_normalized";

/** Where in a block its residual sites sit, in the order the block reaches them. */
const BLOCK_POINTS = ["pre", "mid", "post"] as const;
export type BlockPoint = (typeof BLOCK_POINTS)[number];

const FINAL_SITE = "ln_final.hook_normalized";
const BLOCK_SITE = /^blocks\.(\d+)\.hook_resid_(pre|mid|post)$/;

/** A site's place by name: a block and the point in it, or the final norm. */
type SitePlace = { layer: number; point: BlockPoint } | "final";

function placeOf(text: string, numLayers: number | undefined): SitePlace {
  if (text === FINAL_SITE) return "final";
  const m = BLOCK_SITE.exec(text);
  if (m && (numLayers === undefined || Number(m[1]) < numLayers))
    return { layer: Number(m[1]), point: m[2] as BlockPoint };
  const blocks = numLayers === undefined ? "{L}" : `{0..${numLayers - 1}}`;
  throw new PvaError(
    `hook site ${JSON.stringify(text)}: expected blocks.${blocks}.hook_resid_pre|mid|post or ${FINAL_SITE}`,
    "E_HOOK_SITE",
  );
}

/**
 * Reads a site name that arrives as text (a file, a command line, a caller without types) into a
 * HookSite, or throws one line naming the sites there are. With `numLayers` the block must exist.
 */
export function parseHookSite(text: string, numLayers?: number): HookSite {
  placeOf(text, numLayers);
  return text as HookSite;
}

/**
 * The place of block `layer`'s hook at `point` among all hook places, counted in the order the
 * forward pass reaches them: block L's pre, mid and post are 3L, 3L+1 and 3L+2. The model's block
 * loop names its places with this and `finalSlot`, and `siteSlot` maps names onto them, so a site
 * runs where its name says.
 */
export function blockSlot(layer: number, point: BlockPoint): number {
  return BLOCK_POINTS.length * layer + BLOCK_POINTS.indexOf(point);
}

/** The final norm's hook place, after every block's: 3 x numLayers. */
export function finalSlot(numLayers: number): number {
  return BLOCK_POINTS.length * numLayers;
}

/**
 * A site's place in the forward pass of a model with `numLayers` blocks. Checks the name again at
 * run time, as callers without types (and layers past the model's depth) can still get here.
 */
export function siteSlot(site: HookSite, numLayers: number): number {
  const place = placeOf(site, numLayers);
  return place === "final" ? finalSlot(numLayers) : blockSlot(place.layer, place.point);
}
