import * as z from "zod";

/** Per-layer values are keyed by the layer number as a string (JSON object keys). */
const PerLayer = <T extends z.ZodType>(value: T) => z.record(z.string().regex(/^\d+$/), value);

export const VectorGeometrySchema = z.object({
  /** Share of variance of the emotion vectors explained by each leading principal component. */
  pcShares: z.array(z.number().min(0).max(1)),
  loadings: z.array(z.object({ emotion: z.string(), pc1: z.number(), pc2: z.number() })),
  /** Mean cosine similarity within clusters and between clusters. */
  clusterCoherence: z.object({ within: z.number(), between: z.number() }),
});
export type VectorGeometry = z.infer<typeof VectorGeometrySchema>;

/**
 * Metadata of a set of emotion vectors: stored as JSON under "pva" in the safetensors
 * `__metadata__` and as `vectors.json`. Tensors are `layer.{L}`, F32, [emotions, hidden].
 */
export const EmotionVectorsMetaSchema = z.object({
  model: z.string().min(1),
  modelHash: z.string().min(1),
  emotions: z.array(z.string().min(1)).min(1),
  layers: z.array(z.number().int().min(0)).min(1),
  hiddenSize: z.number().int().min(1),
  corpusHash: z.string().min(1),
  tokenOffset: z.number().int().min(0),
  neutralVarianceShare: z.number().min(0).max(1),
  neutralComponentsRemoved: PerLayer(z.number().int().min(0)),
  meanResidNorm: PerLayer(z.number().min(0)),
  geometry: PerLayer(VectorGeometrySchema),
});
export type EmotionVectorsMeta = z.infer<typeof EmotionVectorsMetaSchema>;
