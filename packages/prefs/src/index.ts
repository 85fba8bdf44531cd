export { type ParsedChoice, parseAnswer } from "./answer-parser.js";
export {
  type AnthropicBackendOptions,
  createAnthropicBackend,
} from "./backends/anthropic-backend.js";
export type {
  ChoiceAnswer,
  ChoiceBackend,
  ChoiceRequest,
  ChoiceSteering,
  Readout,
} from "./backends/choice-backend.js";
export {
  createEmbeddedBackend,
  type EmbeddedBackendOptions,
  labelTokenIds,
  tokenSpan,
} from "./backends/embedded-backend.js";
export { createOpenAIBackend, type OpenAIBackendOptions } from "./backends/openai-backend.js";
export {
  ConnectionFailure,
  DEFAULT_RETRY_POLICY,
  isRejection,
  isTransientFailure,
  MalformedResponseError,
  RequestFailedError,
  type RetryPolicy,
  retryAfterMs,
  withRetries,
} from "./backends/retry-policy.js";
export { type ActiveDesignOptions, createActiveDesign } from "./design/active-design.js";
export type { Design, OrderedPair } from "./design/design.js";
export { allOrderedPairs, createFullDesign } from "./design/full-design.js";
export { intransitiveTriadShare, positionBias, winMatrix } from "./diagnostics.js";
export { choiceRecordKey, type ElicitOptions, type ElicitProgress, elicit } from "./elicit.js";
export {
  type BootstrapOptions,
  type BradleyTerryBootstrap,
  bootstrapBradleyTerry,
  percentileInterval,
} from "./fit/bootstrap.js";
export { type BradleyTerryFit, type BradleyTerryOptions, fitBradleyTerry } from "./fit/bradley-terry.js";
export {
  ELO_MEAN,
  ELO_PER_LOG_ODDS,
  eloFromStrength,
  type SequentialEloOptions,
  sequentialElo,
} from "./fit/elo.js";
export { buildPairTable, type Outcome, type PairTable } from "./fit/pair-table.js";
export { type FitChoicesFileOptions, fitChoicesFile } from "./fit-choices-file.js";
export { type FitPreferencesOptions, fitPreferences } from "./fit-preferences.js";
export { type Label, type LabelReadout, labelOfToken, readLabels } from "./label-readout.js";
export { outcomesFromRecords, type RecordOutcomes, type RefusalPolicy } from "./outcomes.js";
export {
  ANSWER_PREFILL,
  choiceQuestion,
  DEFAULT_QUESTION,
  type PromptTemplate,
  type PromptText,
  RAW_TEMPLATE,
  rawPrompt,
  wrapPrompt,
} from "./prompts.js";
export { type SimulatedChoiceOptions, simulateChoices } from "./simulated-choices.js";
