import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// What @pva/analysis exports (values and types), read from src/index.ts by scripts/public-names.mjs.
// Adding a name here is a decision to support it for users and other packages; remove what no
// one outside the package needs instead of exporting it "just in case".
const PUBLIC = [
  "ActivationModel",
  "BootstrapOptions",
  "CorrelateOptions",
  "EmotionVectors",
  "EmotionVectorsOptions",
  "ImportOptions",
  "LayerActivations",
  "NeutralSubspace",
  "PermutationOptions",
  "ProbeOptions",
  "ProbeReadout",
  "RobustnessSettingName",
  "RunSteeringOptions",
  "SplitDifferences",
  "SteeringModel",
  "SteeringPlan",
  "SteeringTournament",
  "TextActivations",
  "benjaminiHochberg",
  "bootstrapCi",
  "bootstrapPearsonCis",
  "correlate",
  "cosine",
  "eloShift",
  "emotionVectors",
  "emotionVectorsFromActivations",
  "loadEmotionVectors",
  "meanResidualActivations",
  "midranks",
  "neutralSubspace",
  "partialPearson",
  "pearson",
  "permutationPValue",
  "permutationPValues",
  "probePrompt",
  "probeScores",
  "projectOut",
  "rankedInputs",
  "residSite",
  "robustnessRow",
  "runSteering",
  "saveEmotionVectors",
  "sentimentScores",
  "shiftVsR",
  "spearman",
  "stratifiedSplits",
  "vectorGeometry",
  "withSequentialElo",
];

const reader = new URL("../../../scripts/public-names.mjs", import.meta.url);

it("exports exactly its public names", async () => {
  const { publicNames } = await import(reader.href);
  expect(await publicNames(fileURLToPath(new URL("./index.ts", import.meta.url)))).toEqual(PUBLIC);
});
