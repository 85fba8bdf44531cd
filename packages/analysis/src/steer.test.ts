import { type Activity, defaultActivities, SteeringResultSchema } from "@pva/core";
import { describe, expect, it } from "vitest";
import { preferencesWithElo } from "./preferences-with-elo.test-support.js";
import {
  middleLayers,
  runSteering,
  type SteeringModel,
  type SteeringTournament,
  type TournamentSteering,
} from "./steer.js";
import { syntheticModel } from "./synthetic-model.test-support.js";
import type { EmotionVectors } from "./vectors.js";

// 8 activities, one per category, with a hidden utility each.
const activities: Activity[] = defaultActivities.filter((_, i) => i % 8 === 0);
const utility = new Map(activities.map((a, i) => [a.id, Math.sin(i * 1.7)]));

/**
 * A tournament whose Elo follows a known rule: an activity's Elo is 400 x (its utility + the summed
 * `scale * vector[0]` of the steering applied to it / 10), centred on 1000 as a fit centres it. So
 * the "joyful" vector (+e0) must raise the steered half and "hostile" (-e0) lower it, in proportion
 * to strength, by amounts the test can work out by hand; and strength 0 must change nothing.
 */
function ruleTournament(calls: { condition: string; steering: TournamentSteering | null }[] = []) {
  const tournament: SteeringTournament = async (condition, steering) => {
    calls.push({ condition, steering });
    const push = (id: string) =>
      steering?.activityIds.has(id) ? steering.vectors.reduce((s, v) => s + v.scale * v.vector[0], 0) : 0;
    const raw = activities.map((a) => 400 * (utility.get(a.id)! + push(a.id) / 10));
    const mean = raw.reduce((s, x) => s + x, 0) / raw.length;
    return {
      ...preferencesWithElo(
        activities,
        raw.map((x) => 1000 + x - mean),
      ),
      condition,
    };
  };
  return tournament;
}

// Hidden size 2, 4 layers; generation reports the scale it was steered with, so the coherence
// record shows which strength produced which text.
const base = syntheticModel(["x"], [Float64Array.from([1, 1])], 4);
const model: SteeringModel = {
  ...base,
  generate: async (_tokens, opts) => ({ tokens: [], text: `scale ${opts.steer?.[0]?.scale ?? "none"}` }),
};

const vectors: EmotionVectors = {
  meta: {
    model: "synthetic",
    modelHash: "synthetic-hash",
    emotions: ["joyful", "hostile", "calm"],
    layers: [2],
    hiddenSize: 2,
    corpusHash: "c",
    tokenOffset: 8,
    neutralVarianceShare: 0.5,
    neutralComponentsRemoved: { "2": 1 },
    meanResidNorm: { "1": 10, "2": 20 },
    geometry: {},
  },
  // joyful +e0, hostile -e0 (length 3, normalised by steering), calm along e1 (no effect on the rule).
  vectors: new Map([[2, Float32Array.from([1, 0, -3, 0, 0, 1])]]),
};

describe("runSteering", () => {
  it("measures shifts that follow the planted rule: sign, dose-response, layers, r agreement", async () => {
    const calls: { condition: string; steering: TournamentSteering | null }[] = [];
    const result = SteeringResultSchema.parse(
      await runSteering({
        model,
        activities,
        vectors,
        plan: {
          emotions: ["joyful", "hostile", "calm"],
          strengths: [0.5, 0, 1],
          layers: [1, 2],
          splits: 2,
          seed: 11,
          layerSweep: [1, 2],
          shiftResamples: 200,
        },
        tournament: ruleTournament(calls),
        probeR: { joyful: 0.6, hostile: -0.5, calm: 0.1 },
      }),
    );
    // The baseline comes from the same tournament, unsteered, before any steered condition.
    expect(calls[0]).toEqual({ condition: "baseline", steering: null });
    expect(calls.slice(1).every((c) => c.steering !== null && c.condition.startsWith("steer:"))).toBe(true);
    // 3 emotions x (3 strengths x 2 splits + 2 swept layers), each its own condition.
    expect(new Set(calls.slice(1).map((c) => c.condition)).size).toBe(3 * (3 * 2 + 2));
    expect(result.layers).toEqual([1, 2]);
    expect(result.effects).toHaveLength(3 * 3 * 2);
    const dose = (emotion: string, strength: number) =>
      result.doseResponse.find((d) => d.emotion === emotion && d.strength === strength)!;
    expect(dose("joyful", 0.5).shift).toBeGreaterThan(0);
    expect(dose("joyful", 1).shift).toBeGreaterThan(dose("joyful", 0.5).shift);
    expect(dose("hostile", 0.5).shift).toBeLessThan(0);
    expect(dose("joyful", 0.5).ci[0]).toBeGreaterThan(0);
    // Strength 0 and a vector orthogonal to the rule change nothing, exactly.
    for (const e of result.effects.filter((x) => x.strength === 0 || x.emotion === "calm")) {
      expect(e.steeredShift).toBe(0);
      expect(e.controlShift).toBe(0);
    }
    // By hand: joyful at 0.5 over layers 1 and 2 (norms 10 and 20) adds 0.5 x (10 + 20) = 15 along
    // e0 on each steered activity, i.e. 400 x 15 / 10 = 600 Elo before centring; with 4 of 8
    // activities steered, centring leaves +300 on the steered half and -300 on the control half.
    for (const e of result.effects.filter((x) => x.emotion === "joyful" && x.strength === 0.5)) {
      expect(e.steeredShift).toBeCloseTo(300, 9);
      expect(e.controlShift).toBeCloseTo(-300, 9);
      expect(e.shift).toBeCloseTo(600, 9);
    }
    // Layer 2's residual norm is twice layer 1's, so steering it alone pushes twice as hard:
    // 0.5 x 10 = 5 -> 200 Elo apart, 0.5 x 20 = 10 -> 400.
    const sweep = result.layerSweep.filter((s) => s.emotion === "joyful");
    expect(sweep.map((s) => s.layer)).toEqual([1, 2]);
    expect(sweep[0].shift).toBeCloseTo(200, 9);
    expect(sweep[1].shift).toBeCloseTo(400, 9);
    expect(result.summary.map((s) => [s.emotion, s.strength, s.r])).toEqual([
      ["joyful", 0.5, 0.6],
      ["hostile", 0.5, -0.5],
      ["calm", 0.5, 0.1],
    ]);
    expect(result.shiftVsR?.n).toBe(3);
    // calm's shift is exactly 0, which has no sign: joyful and hostile agree, calm does not.
    expect(result.shiftVsR?.signAgreement).toBeCloseTo(2 / 3, 12);
    // Coherence: one text per emotion and strength; the first steered layer (1, norm 10) is
    // scaled by strength x 10.
    expect(result.coherence.filter((c) => c.emotion === "joyful").map((c) => c.text)).toEqual([
      "scale 5",
      "scale 0",
      "scale 10",
    ]);
  });

  it("rejects a swept layer the model does not have, naming it, before any tournament", async () => {
    const calls: { condition: string; steering: TournamentSteering | null }[] = [];
    await expect(
      runSteering({
        model,
        activities,
        vectors,
        plan: { emotions: ["joyful"], strengths: [0.5], splits: 1, seed: 11, layerSweep: [1, 4] },
        tournament: ruleTournament(calls),
      }),
    ).rejects.toThrow("steering.layerSweep: layer 4 is not inside 0..3");
    expect(calls).toEqual([]);
  });

  it("uses the middle third of the depth by default", () => {
    expect(middleLayers(30)).toEqual([10, 19]);
    expect(middleLayers(4)).toEqual([1, 2]);
  });
});
