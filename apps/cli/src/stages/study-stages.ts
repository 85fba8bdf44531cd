import type { Stage } from "../run-stages.js";
import { analyzeStage } from "./analyze-stage.js";
import { preferencesStage } from "./preferences-stage.js";
import { probeStage } from "./probe-stage.js";
import { reportStage } from "./report-stage.js";
import { steerStage } from "./steer-stage.js";
import { vectorsStage } from "./vectors-stage.js";

/** The pipeline's stages by name; a command runs a stage with the ones it needs before it. */
export const STAGES = {
  elicit: { name: "elicit", run: preferencesStage },
  vectors: { name: "vectors", run: vectorsStage },
  probe: { name: "probe", run: probeStage },
  analyze: { name: "analyze", run: analyzeStage },
  steer: { name: "steer", run: steerStage },
  report: { name: "report", run: reportStage },
} satisfies Record<string, Stage>;
