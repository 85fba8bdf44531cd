import { describe, expect, it } from "vitest";
import { CLUSTER_VALENCE, clustersOfValence } from "./cluster-valence.js";
import { EMOTION_CLUSTERS } from "./emotions.js";

describe("cluster valence", () => {
  it("labels every cluster of the catalog once", () => {
    expect(Object.keys(CLUSTER_VALENCE).sort()).toEqual([...EMOTION_CLUSTERS].sort());
  });

  it("calls Pride and Suspicion mixed, neither pleasant nor unpleasant", () => {
    expect(clustersOfValence("pleasant")).toEqual([
      "Exuberant Joy",
      "Peaceful Contentment",
      "Compassionate Gratitude",
      "Playful Amusement",
    ]);
    expect(clustersOfValence("unpleasant").sort()).toEqual(
      ["Depleted Disengagement", "Despair and Shame", "Fear and Overwhelm", "Hostile Anger"].sort(),
    );
    expect(clustersOfValence("mixed")).toEqual(["Competitive Pride", "Vigilant Suspicion"]);
  });
});
