import type { StudyOptionName } from "../study-options.js";
import { analyzeStage } from "./analyze-stage.js";
import type { PipelineContext } from "./pipeline-context.js";
import { preferencesStage } from "./preferences-stage.js";
import { probeStage } from "./probe-stage.js";
import { reportStage } from "./report-stage.js";
import { robustnessStage } from "./robustness-stage.js";
import { steerStage } from "./steer-stage.js";
import { vectorsStage } from "./vectors-stage.js";

export type StageName = "elicit" | "vectors" | "probe" | "analyze" | "robustness" | "steer" | "report";

/** A stage as `runStages` runs it. Declared here, beside the stages, so run-stages imports them and not the other way round. */
export type Stage = { name: StageName; run: (ctx: PipelineContext) => Promise<void> };

export interface StageEntry extends Stage {
  name: StageName;
  /** Stages whose results this one reads; a command runs them first (each skipped when up to date). */
  needs: readonly StageName[];
  /** The command-line overrides this stage reads (besides --out, which every stage command takes). */
  options: readonly StudyOptionName[];
}

/**
 * The pipeline's stages, in the order they run, each with its prerequisites and the options it
 * uses. A command names the stage it is for; what it runs and which options it accepts follow.
 */
export const STAGES = {
  elicit: {
    name: "elicit",
    run: preferencesStage,
    needs: [],
    options: ["model", "quantize", "endpoint", "seed", "concurrency", "budget"],
  },
  vectors: { name: "vectors", run: vectorsStage, needs: [], options: ["model", "quantize"] },
  probe: { name: "probe", run: probeStage, needs: ["vectors"], options: ["model", "quantize"] },
  analyze: { name: "analyze", run: analyzeStage, needs: ["elicit", "probe"], options: ["seed"] },
  robustness: { name: "robustness", run: robustnessStage, needs: ["analyze"], options: ["model", "seed"] },
  steer: {
    name: "steer",
    run: steerStage,
    needs: ["analyze"],
    options: ["model", "quantize", "endpoint", "seed", "concurrency"],
  },
  report: { name: "report", run: reportStage, needs: [], options: [] },
} as const satisfies Record<StageName, StageEntry>;

const PIPELINE: readonly StageName[] = [
  "elicit",
  "vectors",
  "probe",
  "analyze",
  "robustness",
  "steer",
  "report",
];

/** The stages a command for `targets` runs: the targets and everything they need, in pipeline order. */
export function stagesFor(...targets: StageName[]): StageEntry[] {
  const wanted = new Set<StageName>();
  const add = (name: StageName): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const need of STAGES[name].needs) add(need);
  };
  for (const target of targets) add(target);
  return PIPELINE.filter((name) => wanted.has(name)).map((name) => STAGES[name]);
}

/** Every stage, as `pva run` runs them. */
export function allStages(): StageEntry[] {
  return stagesFor(...PIPELINE);
}

/** The options a command running `stages` accepts: --out and whatever those stages read. */
export function optionsOf(stages: readonly StageEntry[]): StudyOptionName[] {
  return ["out", ...new Set(stages.flatMap((stage) => stage.options))];
}
