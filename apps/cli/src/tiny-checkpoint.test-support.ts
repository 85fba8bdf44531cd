import type { RandomCheckpointSpec } from "@pva/lm";

/**
 * The shape of the local model folders the cli tests write (a 2-layer llama, 300 tokens): small
 * enough that a study on it runs every stage in seconds. The seed tells the tests' weights apart.
 */
export function tinyLlamaSpec(seed: string): RandomCheckpointSpec {
  return {
    architecture: "llama",
    hiddenSize: 32,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    intermediateSize: 64,
    vocabSize: 300,
    maxPositions: 4096,
    seed,
    initStd: 0.1,
  };
}
