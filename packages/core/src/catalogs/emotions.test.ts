import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EMOTION_CLUSTERS, emotionCatalog, emotionSlug, findEmotion } from "./emotions.js";

describe("emotion catalog", () => {
  it("has the 171 words in 10 clusters, no duplicates", () => {
    expect(emotionCatalog).toHaveLength(171);
    expect(EMOTION_CLUSTERS).toHaveLength(10);
    expect(new Set(emotionCatalog.map((e) => e.name)).size).toBe(171);
    expect(new Set(emotionCatalog.map((e) => e.cluster))).toEqual(new Set(EMOTION_CLUSTERS));
  });

  // The reference lives in shared/ beside the checkout (a developer's tree, and CI's copy); the
  // catalog is the committed copy of it.
  const referenceUrl = new URL("../../../../../shared/reference/emotions-171.json", import.meta.url);
  it.skipIf(!existsSync(referenceUrl))("matches the shared reference word for word, in order", () => {
    const reference = JSON.parse(readFileSync(referenceUrl, "utf8")) as {
      clusters: Record<string, string[]>;
    };
    expect([...EMOTION_CLUSTERS]).toEqual(Object.keys(reference.clusters));
    expect(emotionCatalog.map((e) => [e.name, e.cluster])).toEqual(
      Object.entries(reference.clusters).flatMap(([cluster, names]) => names.map((name) => [name, cluster])),
    );
  });

  it("keeps the reference spelling of multi-word and hyphenated names", () => {
    expect(findEmotion("at ease")?.cluster).toBe("Peaceful Contentment");
    expect(findEmotion("blissful")?.cluster).toBe("Exuberant Joy");
    expect(findEmotion("At Ease")).toBeUndefined();
  });

  it("slugs names for files and URLs, uniquely", () => {
    expect(emotionSlug("at ease")).toBe("at-ease");
    expect(emotionSlug("self-confident")).toBe("self-confident");
    expect(emotionSlug("Exuberant Joy")).toBe("exuberant-joy");
    expect(new Set(emotionCatalog.map((e) => emotionSlug(e.name))).size).toBe(171);
    for (const e of emotionCatalog) expect(emotionSlug(e.name)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
