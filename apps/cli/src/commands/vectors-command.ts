import { stagesFor } from "../stages/study-stages.js";
import { stageCommand } from "./stage-command.js";

export const vectorsCommand = () =>
  stageCommand(
    "vectors",
    "read emotion vectors from the model's residual stream over the story corpus (vectors.safetensors, vectors.json)",
    stagesFor("vectors"),
    [
      "pva vectors experiments/emotion-preferences",
      "pva vectors experiments/smoke --model builtin:random-135m",
    ],
  );
