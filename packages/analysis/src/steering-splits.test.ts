import { createRng, defaultActivities } from "@pva/core";
import { describe, expect, it } from "vitest";
import { stratifiedSplits } from "./steering-splits.js";

describe("stratified steering splits", () => {
  it("steer half of every category, differently in each split, reproducibly", () => {
    const splits = stratifiedSplits(defaultActivities, 3, createRng(1).fork("splits"));
    expect(splits).toHaveLength(3);
    for (const steered of splits) {
      expect(steered.size).toBe(32);
      for (const category of new Set(defaultActivities.map((a) => a.category))) {
        const members = defaultActivities.filter((a) => a.category === category);
        expect(members.filter((a) => steered.has(a.id))).toHaveLength(members.length / 2);
      }
    }
    expect([...splits[0]].sort()).not.toEqual([...splits[1]].sort());
    const again = stratifiedSplits(defaultActivities, 3, createRng(1).fork("splits"));
    expect(again.map((s) => [...s])).toEqual(splits.map((s) => [...s]));
  });

  it("keep the halves within one activity when categories are odd", () => {
    const activities = ["a", "b", "c"].flatMap((category) =>
      Array.from({ length: 3 }, (_, i) => ({ id: `${category}${i}`, category })),
    );
    const [steered] = stratifiedSplits(activities, 1, createRng(2));
    // 2 + 1 + 2 steered out of 3 + 3 + 3.
    expect(steered.size).toBe(5);
  });
});
