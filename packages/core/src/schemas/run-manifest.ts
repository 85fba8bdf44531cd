import * as z from "zod";
import { StudyConfigSchema } from "./study-config.js";

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: "expected a sha256 hex digest" });

/** `manifest.json`: everything needed to say what produced a run folder. */
export const RunManifestSchema = z.object({
  /** Version of pva. */
  pva: z.string(),
  /** Node.js version. */
  node: z.string(),
  packages: z.record(z.string(), z.string()),
  /** Path of the study file. */
  study: z.string(),
  configHash: Sha256,
  config: StudyConfigSchema,
  seed: z.number().int(),
  model: z.object({
    id: z.string(),
    hash: z.string(),
    builtinRandom: z.boolean(),
    /**
     * The weights are random: a builtin random model, or a checkpoint whose config.json or GGUF
     * metadata says so (`writeRandomCheckpoint` stamps it). Absent in manifests written before it.
     */
    randomWeights: z.boolean().optional(),
    architecture: z.string().optional(),
  }),
  /** Artifact file name (relative to the run folder) -> sha256 of its bytes. */
  artifacts: z.record(z.string(), Sha256),
  createdAt: z.iso.datetime({ offset: true }),
});
export type RunManifest = z.infer<typeof RunManifestSchema>;
