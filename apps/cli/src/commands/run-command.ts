import { allStages } from "../stages/study-stages.js";
import { stageCommand } from "./stage-command.js";

export const runCommand = () =>
  stageCommand(
    "run",
    "run a whole study: elicit, fit, vectors, probes, statistics, steering (if planned), report, manifest",
    allStages(),
    [
      "pva run experiments/emotion-preferences",
      "pva run experiments/smoke                       # the pipeline on random weights, in seconds",
      "pva run experiments/emotion-preferences --model ./SmolLM2-360M-Instruct",
      "pva run experiments/emotion-preferences --model ~/models/qwen2.5-0.5b-instruct-f16.gguf",
      "pva run experiments/emotion-preferences --endpoint http://localhost:8080/v1 --model qwen2.5-7b-instruct",
      "pva run experiments/emotion-preferences --out /tmp/runs --seed 7",
    ],
  );
