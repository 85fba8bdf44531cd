import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// What @pva/lm exports (values and types), read from src/index.ts by scripts/public-names.mjs.
// Adding a name here is a decision to support it for users and other packages; remove what no
// one outside the package needs instead of exporting it "just in case".
const PUBLIC = [
  "Architecture",
  "BUILTIN_MODELS",
  "ChatMessage",
  "ComputeBackend",
  "ContinuationOptions",
  "DownloadProgress",
  "FingerprintOptions",
  "ForwardOptions",
  "ForwardResult",
  "GenerateOptions",
  "GgufFile",
  "GgufFileType",
  "GgufMetadataEntry",
  "GgufTensorToWrite",
  "GgufTensorType",
  "GgufValue",
  "HookSite",
  "KvCache",
  "LLAMA_3_1_8B_SHAPE",
  "LoadModelOptions",
  "Model",
  "ModelConfig",
  "ModelFootprint",
  "ModelInspection",
  "ModelSourceInput",
  "QuantizeType",
  "RandomCheckpointSpec",
  "RandomGgufOptions",
  "RopeScaling",
  "RopeSpec",
  "SteerSpec",
  "SteeringVector",
  "TensorRows",
  "TensorToWrite",
  "Tokenizer",
  "TournamentSteering",
  "WasmBackend",
  "WeightMatrix",
  "WeightType",
  "chatUserPrompt",
  "convertToGguf",
  "createWasmBackend",
  "inspectModel",
  "loadModel",
  "modelFingerprint",
  "openGguf",
  "parseHfConfig",
  "parseHookSite",
  "randomGgufInCache",
  "readSafetensors",
  "tokenSpan",
  "writeGguf",
  "writeRandomCheckpoint",
  "writeRandomGguf",
  "writeSafetensors",
];

const reader = new URL("../../../scripts/public-names.mjs", import.meta.url);

it("exports exactly its public names", async () => {
  const { publicNames } = await import(reader.href);
  expect(await publicNames(fileURLToPath(new URL("./index.ts", import.meta.url)))).toEqual(PUBLIC);
});
