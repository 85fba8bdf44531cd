export { parseAnswer } from "./answer-parser.js";
export {
  type AnthropicBackendOptions,
  createAnthropicBackend,
} from "./backends/anthropic-backend.js";
export type {
  ChoiceAnswer,
  ChoiceBackend,
  ChoiceRequest,
  ParsedChoice,
  Readout,
} from "./backends/choice-backend.js";
export { createEmbeddedBackend, type EmbeddedBackendOptions } from "./backends/embedded-backend.js";
export { createOpenAIBackend, type OpenAIBackendOptions } from "./backends/openai-backend.js";
export type { RetryPolicy } from "./backends/retry-policy.js";
export { type ActiveDesignOptions, createActiveDesign } from "./design/active-design.js";
export type { Design, OrderedPair } from "./design/design.js";
export { createFullDesign } from "./design/full-design.js";
export {
  intransitiveTriadShare,
  intransitiveTriads,
  positionBias,
  type TriadCount,
  winMatrix,
} from "./diagnostics.js";
export { type ElicitOptions, elicit } from "./elicit.js";
export type { ElicitProgress } from "./elicit-progress.js";
export {
  type BootstrapOptions,
  type BradleyTerryBootstrap,
  bootstrapBradleyTerry,
} from "./fit/bootstrap.js";
export { type BradleyTerryFit, type BradleyTerryOptions, fitBradleyTerry } from "./fit/bradley-terry.js";
export {
  eloFromStrength,
  type SequentialEloOptions,
  sequentialElo,
} from "./fit/elo.js";
export { buildPairTable, type Outcome, type PairTable } from "./fit/pair-table.js";
export { type FitChoicesFileOptions, fitChoicesFile } from "./fit-choices-file.js";
export { type FitPreferencesOptions, fitPreferences } from "./fit-preferences.js";
export { type Label, type LabelReadout, readLabels } from "./label-readout.js";
export type { RefusalPolicy } from "./outcomes.js";
export { choiceQuestion, type PromptTemplate, type PromptText, rawPrompt } from "./prompts.js";
export { type SimulatedChoiceOptions, simulateChoices } from "./simulated-choices.js";
