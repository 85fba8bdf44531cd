import { stagesFor } from "../stages/study-stages.js";
import { stageCommand } from "./stage-command.js";

export const analyzeCommand = () =>
  stageCommand(
    "analyze",
    "correlate probe scores with preferences per emotion: r, bootstrap CI, permutation p, FDR (correlations.json), and the robustness panel (robustness.json)",
    stagesFor("analyze", "robustness"),
    ["pva analyze experiments/emotion-preferences", "pva analyze experiments/smoke --seed 7"],
  );
