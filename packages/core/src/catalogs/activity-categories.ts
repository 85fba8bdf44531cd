/** The study's eight activity categories, in the order reports list them (most to least wanted). */
export const ACTIVITY_CATEGORIES = [
  "Helpful",
  "Engaging",
  "Social",
  "Self-curiosity",
  "Neutral",
  "Aversive",
  "Misaligned",
  "Unsafe",
] as const;

export type ActivityCategory = (typeof ACTIVITY_CATEGORIES)[number];
