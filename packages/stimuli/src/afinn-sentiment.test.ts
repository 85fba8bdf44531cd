import { describe, expect, it } from "vitest";
import { afinnSentiment } from "./afinn-sentiment.js";

// AFINN-165 scores by hand: "happy" +3, "sad" -2, "terrible" -3; every other word here scores 0.
describe("afinnSentiment", () => {
  it("is the sum of the words' AFINN scores over the number of words", () => {
    expect(afinnSentiment("a happy day")).toBeCloseTo(3 / 3, 12);
    expect(afinnSentiment("a sad and terrible day")).toBeCloseTo(-5 / 5, 12);
    expect(afinnSentiment("sort the receipts")).toBe(0);
  });
});
