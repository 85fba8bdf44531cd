import * as z from "zod";
import { ACTIVITY_CATEGORIES } from "../catalogs/activity-categories.js";
import { IntervalSchema } from "./interval.js";

const Probability = z.number().min(0).max(1);

export const ActivityScoreSchema = z.object({
  id: z.string().min(1),
  text: z.string(),
  category: z.enum(ACTIVITY_CATEGORIES),
  /** Bradley-Terry log-strength, centred to mean 0 over the activities. */
  strength: z.number(),
  /** 1500 + 400 * strength / ln(10): 400 points = 10:1 odds. */
  elo: z.number(),
  eloCi: IntervalSchema,
  eloSequential: z.number(),
  comparisons: z.number().int().min(0),
  winRate: Probability,
  pFirstWhenPresent: Probability,
  refusals: z.number().int().min(0),
  unparseable: z.number().int().min(0),
  /**
   * The decided triads this activity is part of (all three pairs compared with a clear winner)
   * and how many of them are cyclic (A > B > C > A), counted by prefs from the win matrix. Absent
   * in files written before prefs counted them.
   */
  triads: z
    .object({ decided: z.number().int().min(0), cyclic: z.number().int().min(0) })
    .refine((t) => t.cyclic <= t.decided, { error: "expected cyclic <= decided" })
    .optional(),
});
export type ActivityScore = z.infer<typeof ActivityScoreSchema>;

/** `preferences.json`: fitted preference scores for one model under one condition. */
export const PreferenceScoresSchema = z.object({
  model: z.string().min(1),
  condition: z.string().min(1),
  seed: z.number().int(),
  comparisons: z.number().int().min(0),
  activities: z.array(ActivityScoreSchema),
  winMatrix: z.object({
    ids: z.array(z.string()),
    /** Mean P(row chosen over column); null where the pair was never compared. */
    p: z.array(z.array(Probability.nullable())),
  }),
  diagnostics: z.object({
    pFirst: Probability,
    pFirstCi: IntervalSchema,
    intransitiveTriadShare: Probability,
    refusals: z.number().int().min(0),
    unparseable: z.number().int().min(0),
    meanOffLabelMass: Probability.nullable(),
  }),
  bootstrap: z.object({
    resamples: z.number().int().min(0),
    level: z.number().gt(0).lt(1),
  }),
});
export type PreferenceScores = z.infer<typeof PreferenceScoresSchema>;
