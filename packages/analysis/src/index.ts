export { type CorrelateOptions, correlate } from "./correlate.js";
export { cosine } from "./cosine.js";
export { type NeutralSubspace, neutralSubspace, projectOut } from "./denoise.js";
export { eloDifferences, eloShift, type SplitDifferences } from "./elo-shift.js";
export {
  HIGH_AROUSAL_CLUSTERS,
  LOW_AROUSAL_CLUSTERS,
  POSITIVE_CLUSTERS,
  vectorGeometry,
} from "./geometry.js";
export { type ProbeOptions, type ProbeReadout, probeScores } from "./probe.js";
export { probePrompt } from "./probe-prompt.js";
export {
  type ActivationModel,
  defaultLayer,
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
  middleLayers,
  type RunSteeringOptions,
  runSteering,
  type SteeringModel,
  type SteeringPlan,
  type SteeringTournament,
  shiftVsR,
} from "./steer.js";
export { stratifiedSplits } from "./steering-splits.js";
export { unitRows } from "./unit-rows.js";
export { type ImportOptions, loadEmotionVectors, saveEmotionVectors } from "./vector-file.js";
export {
  DEFAULT_NEUTRAL_VARIANCE_SHARE,
  DEFAULT_TOKEN_OFFSET,
  type EmotionVectors,
  type EmotionVectorsOptions,
  emotionVectors,
  emotionVectorsFromActivations,
  type LayerActivations,
  vectorRow,
} from "./vectors.js";
