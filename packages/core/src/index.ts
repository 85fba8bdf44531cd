export { defaultActivities } from "./catalogs/activities.js";
export { ACTIVITY_CATEGORIES, type ActivityCategory } from "./catalogs/activity-categories.js";
export { type ClusterValence, clustersOfValence } from "./catalogs/cluster-valence.js";
export {
  EMOTION_CLUSTERS,
  type Emotion,
  type EmotionCluster,
  emotionCatalog,
  emotionSlug,
  findEmotion,
} from "./catalogs/emotions.js";
export { endpointUrlProblem } from "./endpoint-url.js";
export { InputError, PvaError, type PvaErrorCode } from "./errors.js";
export { canonicalJson, contentHash, sha256Hex } from "./hash.js";
export { InterruptedError, throwIfInterrupted } from "./interrupted-error.js";
export { loadActivities } from "./load-activities.js";
export { type LoadedStudy, loadStudy } from "./load-study.js";
export {
  apiModelId,
  apiModelName,
  type ModelSource,
  type ModelSourceKind,
  parseModelSource,
} from "./model-source.js";
export { parseWithSchema } from "./parse-with-schema.js";
export { percentileInterval, percentileSorted } from "./percentile.js";
export { LockedError } from "./pid-lock.js";
export {
  ASSISTANT_TURN,
  DEFAULT_CHOICE_QUESTION,
  DEFAULT_COHERENCE_QUESTION,
  DEFAULT_PROBE_QUESTION,
  HUMAN_TURN,
  humanAssistantPrompt,
} from "./prompt-framing.js";
export { readJsonFile } from "./read-json-file.js";
export { redactUrl } from "./redact-url.js";
export { createRng, type Rng } from "./rng.js";
export {
  isReproducibleArtifact,
  type JsonlLine,
  jsonlLines,
  noRunResultsError,
  presentRunResults,
  RUN_ARTIFACTS,
  RUN_FILES,
  type RunFileName,
  readChoices,
  runLayout,
} from "./run-layout.js";
export { type Activity, type ActivityCatalog, ActivityCatalogSchema } from "./schemas/activity.js";
export { type ChoiceRecord, ChoiceRecordSchema, pairIdOf } from "./schemas/choice-record.js";
export {
  type NeutralRecord,
  NeutralRecordSchema,
  type StoryRecord,
  StoryRecordSchema,
} from "./schemas/corpus.js";
export {
  type CorrelationResult,
  CorrelationResultSchema,
  type EmotionCorrelation,
} from "./schemas/correlation-result.js";
export {
  type EmotionVectorsMeta,
  EmotionVectorsMetaSchema,
  type VectorGeometry,
} from "./schemas/emotion-vectors.js";
export { type HumanNorms, HumanNormsSchema } from "./schemas/human-norms.js";
export type { Interval } from "./schemas/interval.js";
export {
  type ActivityScore,
  type PreferenceScores,
  PreferenceScoresSchema,
} from "./schemas/preference-scores.js";
export { type ProbeScores, ProbeScoresSchema } from "./schemas/probe-scores.js";
export {
  type RobustnessResult,
  RobustnessResultSchema,
  type RobustnessSetting,
} from "./schemas/robustness-result.js";
export { type RunManifest, RunManifestSchema } from "./schemas/run-manifest.js";
export {
  type SteeringDose,
  type SteeringEffect,
  type SteeringResult,
  SteeringResultSchema,
} from "./schemas/steering-result.js";
export {
  type Design,
  QUANTIZE_TYPES,
  type QuantizeTypeName,
  type StudyConfig,
  type StudyConfigInput,
  StudyConfigSchema,
  StudyFileSchema,
} from "./schemas/study-config.js";
export { RunStore } from "./store.js";
export { studyJsonSchema } from "./study-json-schema.js";
export { studyActivities, studyEmotions } from "./study-selection.js";
export {
  type AtomicContent,
  isTemporaryFile,
  removeTemporaryFiles,
  writeFileAtomic,
  writeJsonAtomic,
} from "./write-file-atomic.js";
