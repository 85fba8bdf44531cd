import * as z from "zod";

export const EmotionSchema = z.object({
  name: z.string().min(1),
  cluster: z.string().min(1),
});

export const EmotionCatalogSchema = z.array(EmotionSchema).superRefine((emotions, ctx) => {
  const seen = new Map<string, number>();
  emotions.forEach((emotion, index) => {
    const first = seen.get(emotion.name);
    if (first !== undefined)
      ctx.addIssue({
        code: "custom",
        path: [index, "name"],
        message: `expected a unique emotion, "${emotion.name}" is already listed at [${first}]`,
      });
    else seen.set(emotion.name, index);
  });
});
export type EmotionCatalog = z.infer<typeof EmotionCatalogSchema>;
