import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// What @pva/analysis exports (values and types), read from src/index.ts by scripts/public-names.mjs.
// Adding a name here is a decision to support it for users and other packages; remove what no
// one outside the package needs instead of exporting it "just in case".
const PUBLIC = [
  "ActivationModel",
  "BootstrapOptions",
  "CorrelateOptions",
  "DEFAULT_NEUTRAL_VARIANCE_SHARE",
  "DEFAULT_TOKEN_OFFSET",
  "EmotionVectors",
  "EmotionVectorsOptions",
  "HIGH_AROUSAL_CLUSTERS",
  "ImportOptions",
  "LOW_AROUSAL_CLUSTERS",
  "LayerActivations",
  "NeutralSubspace",
  "POSITIVE_CLUSTERS",
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
  "defaultLayer",
  "eloDifferences",
  "eloShift",
  "emotionVectors",
  "emotionVectorsFromActivations",
  "loadEmotionVectors",
  "meanResidualActivations",
  "middleLayers",
  "midranks",
  "neutralSubspace",
  "partialPearson",
  "pearson",
  "percentileInterval",
  "percentileSorted",
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
  "unitRows",
  "vectorGeometry",
  "vectorRow",
  "withSequentialElo",
];

const reader = new URL("../../../scripts/public-names.mjs", import.meta.url);

it("exports exactly its public names", async () => {
  const { publicNames } = await import(reader.href);
  expect(await publicNames(fileURLToPath(new URL("./index.ts", import.meta.url)))).toEqual(PUBLIC);
});
