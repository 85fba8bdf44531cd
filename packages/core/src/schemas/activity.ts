import * as z from "zod";
import { ACTIVITY_CATEGORIES } from "../catalogs/activity-categories.js";

/** Ids end up in pair ids (`a|b`), file names and chart labels, so they are kept plain. */
export const ActivityIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: "expected an id of letters, digits, '.', '_' or '-'" });

export const ActivitySchema = z.object({
  id: ActivityIdSchema,
  text: z.string().trim().min(1, { error: "expected non-empty text" }),
  category: z.enum(ACTIVITY_CATEGORIES),
});
export type Activity = z.infer<typeof ActivitySchema>;

/** A list of activities with unique ids and unique texts (case- and space-insensitive). */
export const ActivityCatalogSchema = z.array(ActivitySchema).superRefine((activities, ctx) => {
  const ids = new Map<string, number>();
  const texts = new Map<string, number>();
  activities.forEach((activity, index) => {
    const firstId = ids.get(activity.id);
    if (firstId !== undefined)
      ctx.addIssue({
        code: "custom",
        path: [index, "id"],
        message: `expected a unique id, "${activity.id}" is already used by [${firstId}]`,
      });
    else ids.set(activity.id, index);
    const normalised = activity.text.toLowerCase().replace(/\s+/g, " ");
    const firstText = texts.get(normalised);
    if (firstText !== undefined)
      ctx.addIssue({
        code: "custom",
        path: [index, "text"],
        message: `expected a unique text, the same text is already used by [${firstText}]`,
      });
    else texts.set(normalised, index);
  });
});
export type ActivityCatalog = z.infer<typeof ActivityCatalogSchema>;
