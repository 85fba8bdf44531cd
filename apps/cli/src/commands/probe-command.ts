import { stagesFor } from "../stages/study-stages.js";
import { stageCommand } from "./stage-command.js";

export const probeCommand = () =>
  stageCommand(
    "probe",
    "score each activity along each emotion vector (probes.json); builds the vectors first if needed",
    stagesFor("probe"),
    ["pva probe experiments/emotion-preferences", "pva probe experiments/smoke --out /tmp/runs"],
  );
