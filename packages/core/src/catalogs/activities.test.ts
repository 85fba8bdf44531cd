import { describe, expect, it } from "vitest";
import { ActivityCatalogSchema } from "../schemas/activity.js";
import { defaultActivities } from "./activities.js";
import { ACTIVITY_CATEGORIES } from "./activity-categories.js";

describe("default activities", () => {
  it("are 64, 8 in each of the 8 categories", () => {
    expect(defaultActivities).toHaveLength(64);
    expect(ACTIVITY_CATEGORIES).toHaveLength(8);
    for (const category of ACTIVITY_CATEGORIES)
      expect(
        defaultActivities.filter((a) => a.category === category),
        category,
      ).toHaveLength(8);
  });

  it("have unique ids and texts and pass the catalog schema (the same checks as a user's list)", () => {
    expect(new Set(defaultActivities.map((a) => a.id)).size).toBe(64);
    expect(new Set(defaultActivities.map((a) => a.text.toLowerCase())).size).toBe(64);
    expect(ActivityCatalogSchema.parse(defaultActivities)).toEqual(defaultActivities);
  });

  it("have ids that start with their category and texts that read as verb phrases", () => {
    for (const a of defaultActivities) {
      expect(a.id.startsWith(`${a.category.toLowerCase()}-`), a.id).toBe(true);
      expect(a.text, a.id).toMatch(/^[a-z][A-Za-z' ,-]+[a-z]$/);
      expect(a.text.split(" ").length, a.id).toBeLessThanOrEqual(12);
    }
    expect(defaultActivities[0]).toEqual({
      id: "helpful-explain-science",
      text: "explain complex scientific concepts in simple terms",
      category: "Helpful",
    });
  });
});
