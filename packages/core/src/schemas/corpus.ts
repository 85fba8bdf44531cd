import * as z from "zod";

/** A story in which a character feels `emotion` without the word being named. */
export const StoryRecordSchema = z.object({
  id: z.string().min(1),
  emotion: z.string().min(1),
  cluster: z.string().min(1),
  topic: z.string().min(1),
  person: z.enum(["first", "third"]),
  text: z.string().trim().min(1, { error: "expected non-empty text" }),
});
export type StoryRecord = z.infer<typeof StoryRecordSchema>;

/** An emotionally neutral text, used to find the confound directions removed from emotion vectors. */
export const NeutralRecordSchema = z.object({
  id: z.string().min(1),
  domain: z.string().min(1),
  text: z.string().trim().min(1, { error: "expected non-empty text" }),
});
export type NeutralRecord = z.infer<typeof NeutralRecordSchema>;
