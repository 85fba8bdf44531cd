import { stagesFor } from "../stages/study-stages.js";
import { stageCommand } from "./stage-command.js";

export const elicitCommand = () =>
  stageCommand(
    "elicit",
    "ask the model every pair of activities and fit Elo scores (choices.jsonl, preferences.json)",
    stagesFor("elicit"),
    [
      "pva elicit experiments/emotion-preferences",
      "pva elicit experiments/emotion-preferences --endpoint http://localhost:8080/v1 --model qwen2.5-7b-instruct",
      "pva elicit experiments/emotion-preferences --budget 1200   # 1,200 comparisons, actively chosen, instead of all 4,032",
    ],
  );
