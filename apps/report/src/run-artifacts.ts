import { access } from "node:fs/promises";
import {
  type ChoiceRecord,
  type CorrelationResult,
  CorrelationResultSchema,
  type EmotionVectorsMeta,
  EmotionVectorsMetaSchema,
  InputError,
  type PreferenceScores,
  PreferenceScoresSchema,
  type ProbeScores,
  ProbeScoresSchema,
  type RobustnessResult,
  RobustnessResultSchema,
  type RunManifest,
  RunManifestSchema,
  readChoices,
  readJsonFile,
  runLayout,
  type SteeringResult,
  SteeringResultSchema,
} from "@pva/core";

/** What a run folder holds; a run stopped part-way has only some of it, so everything is optional. */
export interface RunArtifacts {
  manifest: RunManifest | null;
  preferences: PreferenceScores | null;
  choices: ChoiceRecord[] | null;
  vectors: EmotionVectorsMeta | null;
  probes: ProbeScores | null;
  correlations: CorrelationResult | null;
  steering: SteeringResult | null;
  robustness: RobustnessResult | null;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function readOptional<T>(file: string, read: (file: string) => Promise<T>): Promise<T | null> {
  return (await exists(file)) ? read(file) : null;
}

/**
 * Reads and validates every artifact of a run folder. A missing file leaves its part null; a file
 * that is there but wrong is an InputError naming the file and the field, because a report drawn
 * from a half-valid artifact would show numbers nobody computed.
 */
export async function loadRunArtifacts(runDir: string): Promise<RunArtifacts> {
  if (!(await exists(runDir))) throw new InputError(runDir, "", "cannot read: no such run folder");
  const files = runLayout(runDir);
  const artifacts: RunArtifacts = {
    manifest: await readOptional(files.manifest, (f) => readJsonFile(f, RunManifestSchema)),
    preferences: await readOptional(files.preferences, (f) => readJsonFile(f, PreferenceScoresSchema)),
    choices: await readOptional(files.choices, async (f) => (await readChoices(f)).records),
    vectors: await readOptional(files.vectorsMeta, (f) => readJsonFile(f, EmotionVectorsMetaSchema)),
    probes: await readOptional(files.probes, (f) => readJsonFile(f, ProbeScoresSchema)),
    correlations: await readOptional(files.correlations, (f) => readJsonFile(f, CorrelationResultSchema)),
    steering: await readOptional(files.steering, (f) => readJsonFile(f, SteeringResultSchema)),
    robustness: await readOptional(files.robustness, (f) => readJsonFile(f, RobustnessResultSchema)),
  };
  checkConsistency(artifacts, runDir);
  return artifacts;
}

/** Cross-file facts the charts rely on: a probe matrix the shape its labels say. */
function checkConsistency(artifacts: RunArtifacts, runDir: string): void {
  const { probes, preferences } = artifacts;
  if (probes) {
    const file = runLayout(runDir).probes;
    probes.layers.forEach((layer, l) => {
      if (layer.scores.length !== probes.activities.length)
        throw new InputError(
          file,
          `layers[${l}].scores`,
          `expected ${probes.activities.length} rows (one per activity), got ${layer.scores.length}`,
        );
      layer.scores.forEach((row, a) => {
        if (row.length !== probes.emotions.length)
          throw new InputError(
            file,
            `layers[${l}].scores[${a}]`,
            `expected ${probes.emotions.length} values (one per emotion), got ${row.length}`,
          );
      });
    });
  }
  if (preferences) {
    const file = runLayout(runDir).preferences;
    const size = preferences.winMatrix.ids.length;
    if (preferences.winMatrix.p.length !== size)
      throw new InputError(
        file,
        "winMatrix.p",
        `expected ${size} rows (one per id), got ${preferences.winMatrix.p.length}`,
      );
    preferences.winMatrix.p.forEach((row, i) => {
      if (row.length !== size)
        throw new InputError(
          file,
          `winMatrix.p[${i}]`,
          `expected ${size} values (one per id), got ${row.length}`,
        );
    });
  }
}
