import { createRng, type Design as DesignConfig } from "@pva/core";
import { createActiveDesign } from "./active-design.js";
import type { Design } from "./design.js";
import { createFullDesign } from "./full-design.js";

/**
 * The design a study's `elicitation.design` names, for `size` activities; a Design object is used
 * as it is. An active design draws from its own fork of the seed, so nothing else that draws
 * from the seed shifts its pairs.
 */
export function designFromConfig(config: DesignConfig | Design, size: number, seed: number): Design {
  if (!("kind" in config)) return config;
  if (config.kind === "full") return createFullDesign(size);
  return createActiveDesign(size, {
    budget: config.budget,
    rounds: config.rounds,
    rng: createRng(seed).fork("active-design"),
  });
}
