import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// What @pva/prefs exports (values and types), read from src/index.ts by scripts/public-names.mjs.
// Adding a name here is a decision to support it for users and other packages; remove what no
// one outside the package needs instead of exporting it "just in case".
const PUBLIC = [
  "ActiveDesignOptions",
  "AnthropicBackendOptions",
  "BootstrapOptions",
  "BradleyTerryBootstrap",
  "BradleyTerryFit",
  "BradleyTerryOptions",
  "ChoiceAnswer",
  "ChoiceBackend",
  "ChoiceRequest",
  "Design",
  "ElicitOptions",
  "ElicitProgress",
  "EmbeddedBackendOptions",
  "FitChoicesFileOptions",
  "FitPreferencesOptions",
  "Label",
  "LabelReadout",
  "OpenAIBackendOptions",
  "OrderedPair",
  "Outcome",
  "PairTable",
  "ParsedChoice",
  "PromptTemplate",
  "PromptText",
  "Readout",
  "RefusalPolicy",
  "RetryPolicy",
  "SequentialEloOptions",
  "SimulatedChoiceOptions",
  "TriadCount",
  "bootstrapBradleyTerry",
  "buildPairTable",
  "choiceQuestion",
  "createActiveDesign",
  "createAnthropicBackend",
  "createEmbeddedBackend",
  "createFullDesign",
  "createOpenAIBackend",
  "elicit",
  "eloFromStrength",
  "fitBradleyTerry",
  "fitChoicesFile",
  "fitPreferences",
  "intransitiveTriadShare",
  "intransitiveTriads",
  "parseAnswer",
  "positionBias",
  "rawPrompt",
  "readLabels",
  "sequentialElo",
  "simulateChoices",
  "winMatrix",
];

const reader = new URL("../../../scripts/public-names.mjs", import.meta.url);

it("exports exactly its public names", async () => {
  const { publicNames } = await import(reader.href);
  expect(await publicNames(fileURLToPath(new URL("./index.ts", import.meta.url)))).toEqual(PUBLIC);
});
