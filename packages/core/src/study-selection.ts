import { defaultActivities } from "./catalogs/activities.js";
import { type Emotion, emotionCatalog } from "./catalogs/emotions.js";
import { loadActivities } from "./load-activities.js";
import type { Activity } from "./schemas/activity.js";
import type { StudyConfig } from "./schemas/study-config.js";

/** The activities a study compares: the built-in 64, a file's, or the inline list. */
export async function studyActivities(config: Pick<StudyConfig, "activities">): Promise<Activity[]> {
  if (config.activities === "default") return defaultActivities.map((a) => ({ ...a }));
  if (typeof config.activities === "string") return loadActivities(config.activities);
  return config.activities;
}

/** The emotions a study uses, in catalog order (names were validated against the catalog). */
export function studyEmotions(config: Pick<StudyConfig, "emotions">): Emotion[] {
  if (config.emotions === "all") return [...emotionCatalog];
  const wanted = new Set(config.emotions);
  return emotionCatalog.filter((emotion) => wanted.has(emotion.name));
}
