import { stagesFor } from "../stages/study-stages.js";
import { stageCommand } from "./stage-command.js";

export const steerCommand = () =>
  stageCommand(
    "steer",
    "add emotion vectors on half the activities' tokens, re-run the tournament and measure Elo shifts (steering.json)",
    stagesFor("steer"),
    [
      'pva steer experiments/emotion-preferences   # uses the study\'s "steering" plan',
      "pva steer experiments/smoke --seed 7",
    ],
  );
