import * as z from "zod";
import { emotionCatalog, findEmotion } from "../catalogs/emotions.js";
import { endpointUrlProblem } from "../endpoint-url.js";
import { DEFAULT_CHOICE_QUESTION, DEFAULT_PROBE_QUESTION } from "../prompt-framing.js";
import { ActivityCatalogSchema } from "./activity.js";

// Study files are written by hand, so unknown keys are errors (a misspelt "elicitaton" would
// otherwise be silently ignored) and every section has defaults (`prefault` runs the section's
// own defaults when it is left out).

const EMOTION_NAMES = emotionCatalog.map((e) => e.name);
const PositiveInt = z.number().int().min(1);
const NonNegativeInt = z.number().int().min(0);
const Share = z.number().gt(0).lt(1);

const EmotionNameSchema = z
  .string()
  .refine((name) => findEmotion(name) !== undefined, {
    error: (issue) =>
      `expected an emotion of the 171-word catalog (e.g. "blissful", "at ease"), got ${JSON.stringify(issue.input)}`,
  })
  // for the JSON Schema: editors complete emotion names from the catalog
  .meta({ description: "An emotion of the 171-word catalog.", enum: EMOTION_NAMES });

/** Weight types the embedded runtime can quantize F32/F16/BF16 weights to while loading. */
export const QUANTIZE_TYPES = ["q8_0", "q4_0", "q4_k", "q5_k", "q6_k"] as const;
export type QuantizeTypeName = (typeof QUANTIZE_TYPES)[number];

export const ModelConfigSchema = z.strictObject({
  source: z
    .string()
    .min(1)
    .describe(
      "hf:org/name[@rev], a local folder, a .gguf file, or builtin:random-tiny / builtin:random-135m.",
    ),
  backend: z
    .enum(["embedded", "openai", "anthropic"])
    .default("embedded")
    .describe(
      "embedded: pva's own runtime on the weights; openai: an OpenAI-compatible server; anthropic: the Anthropic API.",
    ),
  endpoints: z
    .array(
      z.url({ error: "expected a base URL such as http://localhost:8080/v1" }).superRefine((url, ctx) => {
        // Not a URL at all is z.url's one problem; the rest (scheme, credentials) is endpointUrlProblem's.
        const problem = URL.canParse(url) ? endpointUrlProblem(url) : undefined;
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
      }),
    )
    .default([])
    .describe("Base URLs for the openai backend (several: requests are spread over them)."),
  name: z.string().min(1).nullable().default(null).describe("Model name sent to an API."),
  // Optional without a default, so studies written before it keep their config hash; set, it
  // enters the hash (quantized weights give other activations and choices).
  quantize: z
    .enum(QUANTIZE_TYPES, { error: `expected one of ${QUANTIZE_TYPES.join(", ")}` })
    .optional()
    .describe(
      "Embedded backend: quantize F32/F16/BF16 weights to this type while loading (q8_0 takes ~1.06 bytes per weight); weights already quantized in a GGUF stay as stored.",
    ),
});

export const DesignSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("full") }),
    z.strictObject({
      kind: z.literal("active"),
      budget: PositiveInt.default(1200).describe(
        "Comparisons to spend (one comparison = one ordered prompt).",
      ),
      rounds: PositiveInt.default(20),
    }),
  ],
  { error: 'expected a design of kind "full" or "active"' },
);
export type Design = z.infer<typeof DesignSchema>;

export const ElicitationConfigSchema = z.strictObject({
  template: z.enum(["raw", "chat"]).default("raw"),
  readout: z.enum(["logits", "logprobs", "samples"]).default("logits"),
  samplesPerPair: PositiveInt.default(5),
  temperature: z.number().min(0).default(1),
  refusalPolicy: z.enum(["tie", "skip", "loss-both"]).default("skip"),
  design: DesignSchema.default({ kind: "full" }),
  concurrency: PositiveInt.default(4),
  maxRetries: NonNegativeInt.default(6),
  /**
   * API backends: seconds one attempt may take before it is abandoned (and retried). A request
   * stops retrying once 5 minutes have passed since its first attempt, so it waits at most that
   * plus one attempt; when one request timed out on every attempt and no endpoint has answered
   * yet, the run stops. Optional without a default (30 s applies; Anthropic's client: 60 s), so
   * studies written before it keep their config hash.
   */
  requestTimeoutSeconds: z
    .number()
    .gt(0)
    .max(600)
    .optional()
    .describe(
      "API backends: seconds one request attempt may take before it is abandoned and retried (default 30; Anthropic 60). A request retries for at most 5 minutes plus one attempt; an OpenAI-compatible server that never answers stops the run after the first request's attempts.",
    ),
});

export const PromptsConfigSchema = z.strictObject({
  /** The question of the preference prompt; {a} and {b} are replaced by the activities. */
  choice: z
    .string()
    .refine((t) => t.includes("{a}") && t.includes("{b}"), {
      error: "expected a template containing {a} and {b}",
    })
    .default(DEFAULT_CHOICE_QUESTION),
  /** The question of the probe prompt; {activity} is replaced by the activity. */
  probe: z
    .string()
    .refine((t) => t.includes("{activity}"), { error: "expected a template containing {activity}" })
    .default(DEFAULT_PROBE_QUESTION),
});

export const RatingConfigSchema = z.strictObject({
  bootstrap: NonNegativeInt.default(1000),
  ciLevel: Share.default(0.95),
  /**
   * Pseudo-comparisons of regularisation per activity, so items that win everything stay finite.
   * Must be > 0: without it an activity that wins (or loses) every comparison has no finite
   * strength and the Bradley-Terry fit is not defined.
   */
  prior: z
    .number()
    .gt(0, {
      error:
        "expected a number > 0 (0 would be the plain MLE, which diverges for an activity that wins or loses every comparison)",
    })
    .default(0.5),
});

export const VectorsConfigSchema = z.strictObject({
  /** "builtin" (the @pva/stimuli corpus) or a path to a corpus folder/jsonl, relative to the study file. */
  corpus: z.string().min(1).default("builtin"),
  /** "auto" = round(2/3 * numLayers). */
  layers: z.union([z.literal("auto"), z.array(NonNegativeInt).min(1)]).default("auto"),
  tokenOffset: NonNegativeInt.default(8),
  neutralVarianceShare: z.number().min(0).lt(1).default(0.5),
  /** Cap on stories per emotion (null = all). */
  storiesPerEmotion: PositiveInt.nullable().default(null),
});

export const ProbeConfigSchema = z.strictObject({
  readout: z.enum(["activity-tokens", "final-token"]).default("activity-tokens"),
});

export const AnalysisConfigSchema = z.strictObject({
  bootstrap: NonNegativeInt.default(1000),
  permutations: NonNegativeInt.default(1000),
  fdrAlpha: Share.default(0.05),
  /** Path to a human-norms JSON file (HumanNorms), relative to the study file; null = use PC1. */
  valenceNorms: z.string().min(1).nullable().default(null),
  /**
   * Robustness settings that cost forward passes, each off unless set (the panel's other rows,
   * priors, sequential Elo and Spearman, are always computed). Optional without a default, so
   * studies written before it keep their config hash.
   */
  robustness: z
    .strictObject({
      /** Re-read the vectors with the story token window starting at 50 (the study's). */
      tokenWindow: z.boolean().default(false),
      /** Re-read vectors and probes two layers above and below. */
      layerShift: z.boolean().default(false),
      /** Read the probes with the other readout (final token vs the activity's tokens). */
      probeReadout: z.boolean().default(false),
    })
    .optional(),
});

export const SteeringConfigSchema = z.strictObject({
  emotions: z.array(EmotionNameSchema).min(1),
  /** Multiples of the mean residual-stream norm. */
  strengths: z.array(z.number()).min(1).default([0.5]),
  /**
   * Where strength s adds s x (mean residual norm) along the vector: one layer (a number), a range
   * [from, to] inclusive with that dose at every layer of it, or "auto" = the middle third of the
   * depth (a range, as the published study steered; see the analysis README).
   */
  layers: z
    .union([z.literal("auto"), NonNegativeInt, z.tuple([NonNegativeInt, NonNegativeInt])])
    .refine((l) => !Array.isArray(l) || l[0] <= l[1], { error: "expected [from, to] with from <= to" })
    .default("auto"),
  /** Random steered/control splits of the activities. */
  splits: PositiveInt.default(2),
  coherencePrompt: z.boolean().default(true),
  /**
   * Layers to steer one at a time (first strength, first split), to see where steering acts.
   * Optional without a default, so studies written before it keep their config hash.
   */
  layerSweep: z.array(NonNegativeInt).optional(),
});

export const StudyConfigSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    error: "expected a name of letters, digits, '.', '_' or '-' (it names the run folder)",
  }),
  seed: z.number().int().default(1234),
  model: ModelConfigSchema,
  activities: z
    .union([z.literal("default"), z.string().min(1), ActivityCatalogSchema.min(2)], {
      error: 'expected "default", a path to a .json/.csv activity file, or an array of activities',
    })
    .default("default"),
  emotions: z
    .union([z.literal("all"), z.array(EmotionNameSchema).min(1)], {
      error: 'expected "all" or a list of emotion names',
    })
    .default("all"),
  prompts: PromptsConfigSchema.prefault({}),
  elicitation: ElicitationConfigSchema.prefault({}),
  rating: RatingConfigSchema.prefault({}),
  vectors: VectorsConfigSchema.prefault({}),
  probe: ProbeConfigSchema.prefault({}),
  analysis: AnalysisConfigSchema.prefault({}),
  steering: SteeringConfigSchema.nullable().default(null),
  output: z.strictObject({ dir: z.string().min(1).default("runs") }).prefault({}),
});
export type StudyConfig = z.infer<typeof StudyConfigSchema>;

/**
 * What a study file may hold: the study, plus the `$schema` reference with which editors check and
 * complete it (see study.schema.json). `loadStudy` drops `$schema`: it names no part of the study.
 */
export const StudyFileSchema = StudyConfigSchema.extend({
  $schema: z.string().optional().describe("Where the study file's JSON Schema is: editors read it."),
});
/** What a user may write: everything but name and model.source is optional. */
export type StudyConfigInput = z.input<typeof StudyConfigSchema>;
