export { type CorrelateOptions, correlate } from "./correlate.js";
export { cosine } from "./cosine.js";
export { type NeutralSubspace, neutralSubspace, projectOut } from "./denoise.js";
export { eloShift, type SplitDifferences } from "./elo-shift.js";
export { vectorGeometry } from "./geometry.js";
export { type ProbeOptions, type ProbeReadout, probeScores } from "./probe.js";
export { probePrompt } from "./probe-prompt.js";
export {
  type ActivationModel,
  meanResidualActivations,
  residSite,
  type TextActivations,
} from "./residual-activations.js";
export {
  midranks,
  type RobustnessSettingName,
  rankedInputs,
  robustnessRow,
  withSequentialElo,
} from "./robustness.js";
export { sentimentScores } from "./sentiment.js";
export * from "./stats/index.js";
export {
  type RunSteeringOptions,
  runSteering,
  type SteeringModel,
  type SteeringPlan,
  type SteeringTournament,
  shiftVsR,
} from "./steer.js";
export { stratifiedSplits } from "./steering-splits.js";
export { type ImportOptions, loadEmotionVectors, saveEmotionVectors } from "./vector-file.js";
export {
  type EmotionVectors,
  type EmotionVectorsOptions,
  emotionVectors,
  emotionVectorsFromActivations,
  type LayerActivations,
} from "./vectors.js";
