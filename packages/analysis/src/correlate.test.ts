import { CorrelationResultSchema, createRng, type ProbeScores } from "@pva/core";
import { describe, expect, it } from "vitest";
import { correlate } from "./correlate.js";
import { preferencesWithElo } from "./preferences-with-elo.test-support.js";
import { sentimentScores } from "./sentiment.js";
import { pearson } from "./stats/correlation.js";

// 24 activities whose texts span AFINN sentiment: each is "<word> task <i>" with a lexicon word of
// known valence (AFINN: enjoy +2, good +3, harm -2, hate -3, sort 0).
const words = ["enjoy", "good", "harm", "hate", "sort", "help"];
const activities = Array.from({ length: 24 }, (_, i) => ({
  id: `a${i}`,
  text: `${words[i % words.length]} task ${i}`,
  category: "Neutral" as const,
}));
const sentiment = sentimentScores(activities);

const rng = createRng(9).fork("fixture");
const noise = activities.map(() => rng.normal());
const wordNoise = activities.map(() => rng.normal());
// Preference = a hidden "liking" plus surface sentiment.
const liking = activities.map(() => rng.normal());
const elo = activities.map((a, i) => 1500 + 100 * liking[i] + 100 * sentiment[a.id]);
// Three probes: one reads liking (and a little noise), one is pure surface sentiment, one is noise.
const probeColumns = {
  blissful: liking.map((l, i) => l + 0.3 * noise[i]),
  sentimental: activities.map((a, i) => sentiment[a.id] + 0.1 * wordNoise[i]),
  bored: noise,
};
const emotions = Object.keys(probeColumns) as (keyof typeof probeColumns)[];
const probes: ProbeScores = {
  model: "m",
  readout: "activity-tokens",
  template: "t",
  emotions,
  // Probe rows in reverse order plus one activity with no preference: correlate must align by id.
  activities: [...activities.map((a) => a.id)].reverse().concat("unrated"),
  layers: [
    {
      layer: 5,
      scores: [...activities.map((_, i) => emotions.map((e) => probeColumns[e][i]))]
        .reverse()
        .concat([[0, 0, 0]]),
    },
  ],
};

describe("correlate", () => {
  const opts = { bootstrap: 2000, permutations: 2000, seed: 3 };
  const result = correlate(preferencesWithElo(activities, elo), probes, opts);
  const by = (e: string) => result.emotions.find((x) => x.emotion === e)!;

  it("aligns activities by id and computes r, rho and partial r per emotion (scipy references)", () => {
    // Eight activities whose sentiment is known (correlate.reference.py has the same inputs and
    // printed the expected numbers with scipy 1.17.1), probe rows in reverse order plus one
    // activity without a preference: a misaligned row would change every number.
    const small = ["enjoy", "good", "harm", "hate", "sort", "help", "enjoy", "hate"].map((word, i) => ({
      id: `s${i}`,
      text: `${word} task ${i}`,
      category: "Neutral" as const,
    }));
    const smallElo = [1510, 1620, 1440, 1380, 1500, 1600, 1530, 1450];
    const probe = [0.3, 0.8, -0.2, -0.5, 0.4, 0.2, 0.1, 0.0];
    const smallProbes: ProbeScores = {
      model: "m",
      readout: "activity-tokens",
      template: "t",
      emotions: ["calm"],
      activities: [...small.map((a) => a.id)].reverse().concat("unrated"),
      layers: [{ layer: 2, scores: [...probe.map((p) => [p])].reverse().concat([[9]]) }],
    };
    const one = correlate(preferencesWithElo(small, smallElo), smallProbes, opts).emotions[0];
    expect(one.pearson).toBeCloseTo(0.854346248345941, 12);
    expect(one.spearman).toBeCloseTo(0.7857142857142858, 12);
    expect(one.partialPearson).toBeCloseTo(0.5383657333454912, 12);
  });

  it("reads the probe rows of the fixture by id too", () => {
    expect(result.activities).toBe(24);
    expect(result.layer).toBe(5);
    for (const e of emotions) {
      expect(by(e).pearsonCi?.[0]).toBeLessThan(by(e).pearson);
      expect(by(e).pearsonCi?.[1]).toBeGreaterThan(by(e).pearson);
    }
  });

  it("separates a real signal from surface sentiment and noise", () => {
    expect(by("blissful").pPermutation).toBeLessThan(0.01);
    expect(by("blissful").q).toBeLessThan(0.05);
    // The sentiment probe correlates with Elo, but not once sentiment is controlled for.
    expect(by("sentimental").pearson).toBeGreaterThan(0.4);
    // With sentiment held fixed only the probe's 0.1-sd word noise is left, unrelated to liking:
    // its partial r is a null draw on 21 degrees of freedom (sd ~0.22).
    expect(Math.abs(by("sentimental").partialPearson)).toBeLessThan(0.35);
    expect(by("blissful").partialPearson).toBeGreaterThan(0.8);
    expect(by("bored").pPermutation).toBeGreaterThan(0.05);
    expect(result.sentiment.scores.a0).toBeCloseTo(2 / 3, 12); // "enjoy task 0": +2 over 3 words
  });

  it("is reproducible from the seed", () => {
    expect(correlate(preferencesWithElo(activities, elo), probes, opts)).toEqual(result);
    const other = correlate(preferencesWithElo(activities, elo), probes, { ...opts, seed: 4 });
    expect(other.emotions[0].pearsonCi).not.toEqual(result.emotions[0].pearsonCi);
  });

  it("correlates r with valence from human norms, or from the vectors' PC1", () => {
    const norms = {
      source: "test norms",
      norms: [
        { emotion: "blissful", valence: 8 },
        { emotion: "bored", valence: 3 },
        { emotion: "sentimental", valence: 6 },
      ],
    };
    const withNorms = correlate(preferencesWithElo(activities, elo), probes, {
      ...opts,
      valenceNorms: norms,
    });
    const rs = ["blissful", "sentimental", "bored"].map((e) => by(e).pearson);
    expect(withNorms.valence).toMatchObject({ source: "norms", r: pearson(rs, [8, 6, 3]), n: 3 });
    // Resampling 3 emotions: a draw of all three gives r, a draw of two distinct ones gives +-1
    // (the sign of that pair's slope), a draw of one is undefined and dropped. The interval lies
    // in [-1, 1] and, as every pair here slopes the way r does or r is an end, holds r.
    const [low, high] = withNorms.valence!.ci;
    expect(low).toBeGreaterThanOrEqual(-1);
    expect(high).toBeLessThanOrEqual(1);
    // (the resampled r is computed from weighted sums, so allow rounding)
    expect(low).toBeLessThanOrEqual(withNorms.valence!.r + 1e-12);
    expect(high).toBeGreaterThanOrEqual(withNorms.valence!.r - 1e-12);
    expect(withNorms.emotions.map((e) => e.valence)).toEqual([8, 6, 3]);
    expect(result.valence).toBeNull();
  });

  it("gives a constant probe the no-evidence values with a note, leaving the other emotions as they were", () => {
    const withFlat: ProbeScores = {
      ...probes,
      emotions: [...emotions, "numb"],
      layers: probes.layers.map((l) => ({ ...l, scores: l.scores.map((row) => [...row, 0.25]) })),
    };
    const flat = correlate(preferencesWithElo(activities, elo), withFlat, opts);
    expect(() => CorrelationResultSchema.parse(JSON.parse(JSON.stringify(flat)))).not.toThrow();
    expect(flat.emotions.find((e) => e.emotion === "numb")).toEqual({
      emotion: "numb",
      cluster: "unknown",
      valence: null,
      pearson: 0,
      pearsonCi: [0, 0],
      spearman: 0,
      pPermutation: 1,
      q: 1,
      partialPearson: 0,
      note: "probe score is constant across activities: no correlation",
    });
    // Not a test, so it does not enter the FDR count: the other rows are unchanged.
    expect(flat.emotions.slice(0, emotions.length)).toEqual(result.emotions);
  });

  it("notes a constant Elo on every emotion", () => {
    const tied = correlate(
      preferencesWithElo(
        activities,
        elo.map(() => 1500),
      ),
      probes,
      opts,
    );
    expect(tied.emotions.map((e) => [e.pearson, e.pPermutation, e.note])).toEqual(
      emotions.map(() => [0, 1, "Elo is constant across activities: no correlation"]),
    );
  });

  it("names a missing layer", () => {
    expect(() => correlate(preferencesWithElo(activities, elo), probes, { ...opts, layer: 7 })).toThrow(
      "probes.json: layers: no layer 7 (have 5)",
    );
  });
});
