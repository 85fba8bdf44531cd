import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Activity,
  createRng,
  defaultActivities,
  InterruptedError,
  SteeringResultSchema,
} from "@pva/core";
import {
  type HookSite,
  loadModel,
  type Model,
  type SteerSpec,
  type TournamentSteering,
  writeRandomCheckpoint,
} from "@pva/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preferencesWithElo } from "./preferences-with-elo.test-support.js";
import { middleLayers, runSteering, type SteeringModel, type SteeringTournament, shiftVsR } from "./steer.js";
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
    // 3 emotions x (3 strengths + 2 swept layers) x 2 splits, each its own condition.
    expect(new Set(calls.slice(1).map((c) => c.condition)).size).toBe(3 * (3 + 2) * 2);
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
      expect(e.shift).toBe(0);
      expect(e.controlShift).toBe(0);
    }
    // By hand: joyful at 0.5 over layers 1 and 2 (norms 10 and 20) adds 0.5 x (10 + 20) = 15 along
    // e0 on each steered activity, i.e. 400 x 15 / 10 = 600 Elo before centring; with 4 of 8
    // activities steered, centring leaves +300 on the steered half and -300 on the control half.
    // The headline is the steered half's own change (+300, as the study reports it), with
    // steered - control (600) beside it.
    for (const e of result.effects.filter((x) => x.emotion === "joyful" && x.strength === 0.5)) {
      expect(e.shift).toBeCloseTo(300, 9);
      expect(e.controlShift).toBeCloseTo(-300, 9);
      expect(e.steeredMinusControl).toBeCloseTo(600, 9);
    }
    const joyful = result.summary.find((x) => x.emotion === "joyful")!;
    expect(joyful.shift).toBeCloseTo(300, 9);
    expect(joyful.steeredMinusControl).toBeCloseTo(600, 9);
    // Every activity moves by exactly the same amount, so no resample can move the mean.
    expect(joyful.ci[0]).toBeCloseTo(300, 9);
    expect(joyful.ci[1]).toBeCloseTo(300, 9);
    // Layer 2's residual norm is twice layer 1's, so steering it alone pushes twice as hard:
    // 0.5 x 10 = 5 -> 200 Elo before centring, +100 on the steered half; 0.5 x 20 -> +200.
    // The sweep runs every split and carries an interval.
    const sweep = result.layerSweep.filter((s) => s.emotion === "joyful");
    expect(sweep.map((s) => s.layer)).toEqual([1, 2]);
    expect(sweep[0].shift).toBeCloseTo(100, 9);
    expect(sweep[1].shift).toBeCloseTo(200, 9);
    expect(sweep[1].ci[0]).toBeCloseTo(200, 9);
    // The dose: strengths in units of each layer's norm, over a range of two layers (10 + 20).
    expect(result.dose).toEqual({
      mode: "range",
      meanResidNorm: { "1": 10, "2": 20 },
      strengths: [
        { strength: 0.5, totalAddedNorm: 15, relativeToLastLayerNorm: 0.75 },
        { strength: 0, totalAddedNorm: 0, relativeToLastLayerNorm: 0 },
        { strength: 1, totalAddedNorm: 30, relativeToLastLayerNorm: 1.5 },
      ],
    });
    expect(result.summary.map((s) => [s.emotion, s.strength, s.r])).toEqual([
      ["joyful", 0.5, 0.6],
      ["hostile", 0.5, -0.5],
      ["calm", 0.5, 0.1],
    ]);
    // Shifts +300, -300, 0 against r 0.6, -0.5, 0.1: Pearson r = 330 / sqrt(180000 x 0.60667)
    // = 0.99863 (numpy.corrcoef gives 0.9986254289035242).
    expect(result.shiftVsR?.n).toBe(3);
    expect(result.shiftVsR?.r).toBeCloseTo(0.9986254289035242, 12);
    // calm's shift is exactly 0, which has no sign: joyful and hostile agree, calm does not.
    expect(result.shiftVsR?.signAgreement).toEqual({ agree: 2, of: 3 });
    // Exact enumeration of the 6 orderings of r: 2 reach |r| >= 0.99863, so p = 1/3; 1000
    // permutations estimate it within a few hundredths.
    expect(result.shiftVsR?.p).toBeCloseTo(1 / 3, 1);
    // Resampling 3 emotions often repeats one; every defined resample r lies in [-1, 1].
    expect(result.shiftVsR?.ci[0]).toBeGreaterThanOrEqual(-1);
    expect(result.shiftVsR?.ci[1]).toBeLessThanOrEqual(1);
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

  const abortPlan = {
    emotions: ["joyful", "hostile"],
    strengths: [0.5],
    layers: [1, 2],
    splits: 2,
    seed: 11,
  } as const;

  it("stops after the tournament in flight when the signal fires", async () => {
    const calls: { condition: string; steering: TournamentSteering | null }[] = [];
    const controller = new AbortController();
    const rule = ruleTournament(calls);
    // The first steered tournament aborts while it runs: it finishes, no other starts.
    const tournament: SteeringTournament = async (condition, steering) => {
      if (steering !== null) controller.abort();
      return rule(condition, steering);
    };
    await expect(
      runSteering({ model, activities, vectors, plan: abortPlan, tournament, signal: controller.signal }),
    ).rejects.toMatchObject({ code: "E_INTERRUPTED", stage: "steer" });
    expect(calls.map((c) => c.steering === null)).toEqual([true, false]);
  });

  it("stops after the coherence text in flight when the signal fires", async () => {
    const controller = new AbortController();
    let texts = 0;
    const aborting: SteeringModel = {
      ...model,
      generate: async (tokens, opts) => {
        texts++;
        controller.abort();
        return model.generate(tokens, opts);
      },
    };
    const calls: { condition: string; steering: TournamentSteering | null }[] = [];
    await expect(
      runSteering({
        model: aborting,
        activities,
        vectors,
        plan: { ...abortPlan, strengths: [0.5, 1] },
        tournament: ruleTournament(calls),
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(InterruptedError);
    // joyful's tournaments (baseline, 2 strengths x 2 splits), then its first coherence text only.
    expect(texts).toBe(1);
    expect(calls).toHaveLength(1 + 2 * 2);
  });

  it("runs no tournament when the signal fired before the call", async () => {
    const calls: { condition: string; steering: TournamentSteering | null }[] = [];
    const controller = new AbortController();
    controller.abort();
    await expect(
      runSteering({
        model,
        activities,
        vectors,
        plan: abortPlan,
        tournament: ruleTournament(calls),
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(calls).toEqual([]);
  });

  it("refuses vectors that record no residual norm for a steered layer, naming it", async () => {
    const noNorm = { ...vectors, meta: { ...vectors.meta, meanResidNorm: { "2": 20 } } };
    await expect(
      runSteering({
        model,
        activities,
        vectors: noNorm,
        plan: { emotions: ["joyful"], strengths: [0.5], layers: [1, 2], splits: 1, seed: 11 },
        tournament: ruleTournament(),
      }),
    ).rejects.toThrow("no mean residual norm at layer 1");
  });

  it("shift vs r: r, permutation p and bootstrap interval against scipy references", () => {
    // Inputs and numbers from stats/across-emotions.reference.py (scipy 1.17.1): Pearson r
    // 0.9506565035345778; the exact permutation p over all 7! pairings, 9 / 5040; the exact
    // percentile bootstrap over all 7^7 draws, [0.73961, 0.99908].
    const shifts = [212, -303, 45, -120, 160, -15, 80];
    const rs = [0.71, -0.74, 0.12, -0.35, 0.52, 0.05, -0.1];
    const result = shiftVsR(
      shifts.map((shift, i) => ({ shift, r: rs[i] })),
      { resamples: 20_000, permutations: 20_000, level: 0.95, rng: createRng(3) },
    )!;
    expect(result.r).toBeCloseTo(0.9506565035345778, 12);
    // Monte Carlo standard error of p at 0.0018 with 20,000 shuffles is 0.0003.
    expect(Math.abs(result.p - 9 / 5040)).toBeLessThan(0.0012);
    expect(Math.abs(result.ci[0] - 0.7396097346346961)).toBeLessThan(0.015);
    expect(Math.abs(result.ci[1] - 0.9990801634402773)).toBeLessThan(0.001);
    // 212 with 0.71, -303 with -0.74, 45 with 0.12, -120 with -0.35, 160 with 0.52 agree; -15
    // with 0.05 and 80 with -0.1 do not.
    expect(result.signAgreement).toEqual({ agree: 5, of: 7 });
    expect(result.n).toBe(7);
    // An emotion without r does not enter; fewer than 3 with r leaves the comparison out.
    expect(
      shiftVsR(
        [
          { shift: 1, r: 0.5 },
          { shift: 2, r: null },
          { shift: 3, r: 0.1 },
        ],
        {
          resamples: 10,
          permutations: 10,
          level: 0.95,
          rng: createRng(1),
        },
      ),
    ).toBeNull();
  });

  it("uses the middle third of the depth by default", () => {
    expect(middleLayers(30)).toEqual([10, 19]);
    expect(middleLayers(4)).toEqual([1, 2]);
  });
});

describe("the unit of strength, measured in a real forward pass", () => {
  // A llama whose every weight is 0 (initStd 0): attention and MLP add nothing, so the residual
  // after block L is exactly the embedding (0) plus whatever steering added up to L.
  let lmModel: Model;
  const dir = mkdtempSync(join(tmpdir(), "pva-steer-unit-"));
  beforeAll(async () => {
    await writeRandomCheckpoint(join(dir, "zero"), {
      architecture: "llama",
      hiddenSize: 16,
      numLayers: 5,
      numHeads: 2,
      intermediateSize: 32,
      vocabSize: 300,
      maxPositions: 128,
      seed: "zero",
      initStd: 0,
    });
    lmModel = await loadModel(join(dir, "zero"), { threads: 1 });
  });
  afterAll(async () => {
    await lmModel?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  // One emotion, a direction that is neither unit length nor on an axis.
  const direction = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i + 1) * 3);
  const length = Math.hypot(...direction);
  const norms = { "0": 3, "1": 5, "2": 7, "3": 11, "4": 13 };
  const unitVectors = (): EmotionVectors => ({
    meta: { ...vectors.meta, emotions: ["joyful"], layers: [2], hiddenSize: 16, meanResidNorm: norms },
    vectors: new Map([[2, direction]]),
  });

  /**
   * Runs runSteering with a tournament that measures, for each steered condition, how far the
   * residual after `readLayer` moved along the unit vector on a steered activity's tokens.
   */
  async function measuredShift(layers: number | [number, number], readLayer: number, strength: number) {
    const moved: number[] = [];
    const tournament: SteeringTournament = async (condition, steering) => {
      if (steering !== null) {
        const activity = activities.find((a) => steering.activityIds.has(a.id))!;
        const tokens = lmModel.tokenizer.encode(activity.text);
        const positions = { start: 0, end: tokens.length };
        const site: HookSite = `blocks.${readLayer}.hook_resid_post`;
        const read = async (steer: SteerSpec[]) =>
          (await lmModel.forward(tokens, { capture: [site], steer, logits: "none" })).captures.get(site)!;
        const before = await read([]);
        const after = await read(steering.vectors.map((v) => ({ ...v, positions })));
        let along = 0;
        for (let h = 0; h < 16; h++) along += ((after[h] - before[h]) * direction[h]) / length;
        moved.push(along);
      }
      return {
        ...preferencesWithElo(
          activities,
          activities.map(() => 1000),
        ),
        condition,
      };
    };
    const result = await runSteering({
      model: lmModel,
      activities,
      vectors: unitVectors(),
      plan: { emotions: ["joyful"], strengths: [strength], layers, splits: 1, seed: 1, coherence: false },
      tournament,
    });
    return { moved: moved[0], dose: result.dose };
  }

  it("at one layer, strength s adds exactly s x that layer's norm along the unit vector", async () => {
    const { moved, dose } = await measuredShift(2, 2, 0.5);
    expect(Math.abs(moved - 0.5 * 7)).toBeLessThan(1e-4);
    expect(dose).toEqual({
      mode: "layer",
      meanResidNorm: { "2": 7 },
      strengths: [{ strength: 0.5, totalAddedNorm: 3.5, relativeToLastLayerNorm: 0.5 }],
    });
  });

  it("over k layers, the last layer's residual moves by the sum of s x norm over the range", async () => {
    // Layers 1..3: 0.5 x (5 + 7 + 11) = 11.5, i.e. 11.5 / 11 of the last layer's norm.
    const { moved, dose } = await measuredShift([1, 3], 3, 0.5);
    expect(Math.abs(moved - 11.5)).toBeLessThan(1e-4);
    expect(dose.mode).toBe("range");
    expect(dose.strengths[0].totalAddedNorm).toBeCloseTo(11.5, 12);
    expect(dose.strengths[0].relativeToLastLayerNorm).toBeCloseTo(11.5 / 11, 12);
    // Read one layer before the end, only the first two layers' pushes have arrived.
    expect(Math.abs((await measuredShift([1, 3], 2, 0.5)).moved - 6)).toBeLessThan(1e-4);
  });
});
