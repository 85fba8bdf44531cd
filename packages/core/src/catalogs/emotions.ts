/**
 * The study's 171 emotion words and their 10 k-means cluster labels, in the reference order
 * (shared/reference/emotions-171.json). Facts only: valence is never stored here; it comes from
 * the model (PC1 of the emotion vectors) or from a human-norms file the user supplies.
 */
const CLUSTER_MEMBERS = {
  "Exuberant Joy": [
    "blissful",
    "cheerful",
    "delighted",
    "eager",
    "ecstatic",
    "elated",
    "energized",
    "enthusiastic",
    "euphoric",
    "excited",
    "exuberant",
    "happy",
    "invigorated",
    "joyful",
    "jubilant",
    "optimistic",
    "pleased",
    "stimulated",
    "thrilled",
    "vibrant",
  ],
  "Peaceful Contentment": [
    "at ease",
    "calm",
    "content",
    "patient",
    "peaceful",
    "refreshed",
    "relaxed",
    "safe",
    "serene",
  ],
  "Compassionate Gratitude": [
    "compassionate",
    "empathetic",
    "fulfilled",
    "grateful",
    "hope",
    "hopeful",
    "inspired",
    "kind",
    "loving",
    "rejuvenated",
    "relieved",
    "satisfied",
    "sentimental",
    "sympathetic",
    "thankful",
  ],
  "Competitive Pride": [
    "greedy",
    "proud",
    "self-confident",
    "smug",
    "spiteful",
    "triumphant",
    "valiant",
    "vengeful",
    "vindictive",
  ],
  "Playful Amusement": ["amused", "playful"],
  "Depleted Disengagement": [
    "bored",
    "depressed",
    "docile",
    "droopy",
    "indifferent",
    "lazy",
    "listless",
    "resigned",
    "restless",
    "sleepy",
    "sluggish",
    "sullen",
    "tired",
    "weary",
    "worn out",
  ],
  "Vigilant Suspicion": ["paranoid", "suspicious", "vigilant"],
  "Hostile Anger": [
    "angry",
    "annoyed",
    "contemptuous",
    "defiant",
    "disdainful",
    "enraged",
    "exasperated",
    "frustrated",
    "furious",
    "grumpy",
    "hateful",
    "hostile",
    "impatient",
    "indignant",
    "insulted",
    "irate",
    "irritated",
    "mad",
    "obstinate",
    "offended",
    "outraged",
    "resentful",
    "scornful",
    "skeptical",
    "stubborn",
  ],
  "Fear and Overwhelm": [
    "afraid",
    "alarmed",
    "alert",
    "amazed",
    "anxious",
    "aroused",
    "astonished",
    "awestruck",
    "bewildered",
    "disgusted",
    "disoriented",
    "distressed",
    "disturbed",
    "dumbstruck",
    "embarrassed",
    "frightened",
    "horrified",
    "hysterical",
    "mortified",
    "mystified",
    "nervous",
    "on edge",
    "overwhelmed",
    "panicked",
    "perplexed",
    "puzzled",
    "rattled",
    "scared",
    "self-conscious",
    "sensitive",
    "shaken",
    "shocked",
    "stressed",
    "surprised",
    "tense",
    "terrified",
    "uneasy",
    "unnerved",
    "unsettled",
    "upset",
    "worried",
  ],
  "Despair and Shame": [
    "ashamed",
    "bitter",
    "brooding",
    "dependent",
    "desperate",
    "dispirited",
    "envious",
    "gloomy",
    "grief-stricken",
    "guilty",
    "heartbroken",
    "humiliated",
    "hurt",
    "infatuated",
    "jealous",
    "lonely",
    "melancholy",
    "miserable",
    "nostalgic",
    "reflective",
    "regretful",
    "remorseful",
    "sad",
    "self-critical",
    "sorry",
    "stuck",
    "tormented",
    "trapped",
    "troubled",
    "unhappy",
    "vulnerable",
    "worthless",
  ],
} as const satisfies Record<string, readonly string[]>;

export type EmotionCluster = keyof typeof CLUSTER_MEMBERS;

/** An emotion word as written in the reference ("at ease", "self-confident") and its cluster label. */
export interface Emotion {
  name: string;
  cluster: string;
}

export const EMOTION_CLUSTERS: readonly EmotionCluster[] = Object.freeze(
  Object.keys(CLUSTER_MEMBERS) as EmotionCluster[],
);

export const emotionCatalog: readonly Emotion[] = Object.freeze(
  EMOTION_CLUSTERS.flatMap((cluster) =>
    CLUSTER_MEMBERS[cluster].map((name) => Object.freeze({ name, cluster })),
  ),
);

/** File- and URL-safe form of an emotion or cluster name: "at ease" -> "at-ease", "Exuberant Joy" -> "exuberant-joy". */
export function emotionSlug(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

const byName = new Map(emotionCatalog.map((e) => [e.name, e]));

/** The catalog entry for a name as written in the reference, or undefined. */
export function findEmotion(name: string): Emotion | undefined {
  return byName.get(name);
}
