import * as z from "zod";
import { ACTIVITY_CATEGORIES } from "../catalogs/activity-categories.js";

/** Ids end up in pair ids (`a|b`), file names and chart labels, so they are kept plain. */
export const ActivityIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: "expected an id of letters, digits, '.', '_' or '-'" });

/**
 * Control characters (C0 incl. tab and newline, DEL, C1). An activity text is one line of a prompt
 * and a label in the report's charts; a control character in it is a paste or encoding accident
 * (C1 ones mostly come from Latin-1 read as UTF-8), so it is refused where the text is loaded,
 * naming the file and row, instead of being sent to a model or drawn.
 */
function controlCharacterAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return i;
  }
  return -1;
}

export const ActivitySchema = z.object({
  id: ActivityIdSchema,
  text: z
    .string()
    .trim()
    .min(1, { error: "expected non-empty text" })
    .refine((text) => controlCharacterAt(text) === -1, {
      error: (issue) => {
        const text = String(issue.input);
        const at = controlCharacterAt(text);
        const code = text.charCodeAt(at).toString(16).toUpperCase().padStart(4, "0");
        return `expected text without control characters; found U+${code} at character ${at + 1}`;
      },
    })
    .refine((text) => !text.includes("\ufffd"), {
      error:
        "expected text without U+FFFD (the replacement character: bytes that were not UTF-8 somewhere before); save the file as UTF-8",
    }),
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
