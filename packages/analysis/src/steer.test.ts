import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Activity, defaultActivities, SteeringResultSchema } from "@pva/core";
import { type ChoiceBackend, type ChoiceRequest, elicit, fitPreferences } from "@pva/prefs";
import { afterAll, describe, expect, it } from "vitest";
import { middleLayers, runSteering, type SteeringModel } from "./steer.js";
import { syntheticModel } from "./synthetic-model.test-support.js";
import type { EmotionVectors } from "./vectors.js";

const dir = await mkdtemp(join(tmpdir(), "pva-steer-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

// 8 activities, one per category, with a hidden utility each.
const activities: Activity[] = defaultActivities.filter((_, i) => i % 8 === 0);
const utility = new Map(activities.map((a, i) => [a.id, Math.sin(i * 1.7)]));

/**
 * A steering-capable backend whose choices follow a known rule: an activity's utility rises by the
 * summed `scale * vector[0]` of the steering applied to it, and P(A) = sigmoid(u_a - u_b). So the
 * "joyful" vector (+e0) must raise the steered half and "hostile" (-e0) lower it, in proportion to
 * strength; and strength 0 must change nothing at all.
 */
const backend: ChoiceBackend = {
  id: "rule",
  capabilities: { logits: true, logprobs: false, samples: false, steering: true },
  readout: "logits",
  prompt: (a, b) => `${a.id} or ${b.id}`,
  readoutParams: () => ({}),
  answer: async (request: ChoiceRequest) => {
    const push = (id: string) =>
      request.steer?.activityIds.has(id)
        ? request.steer.vectors.reduce((s, v) => s + v.scale * v.vector[0], 0)
        : 0;
    const u = (id: string) => utility.get(id)! + push(id) / 10;
    const pA = 1 / (1 + Math.exp(u(request.b.id) - u(request.a.id)));
    return {
      pA,
      pB: 1 - pA,
      offLabelMass: 0,
      rawAnswer: pA >= 0.5 ? "A" : "B",
      choice: pA >= 0.5 ? "A" : "B",
      attempts: 1,
    };
  },
};

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

const settings = {
  seed: 11,
  elicitation: {
    design: { kind: "full" as const },
    samplesPerPair: 1,
    concurrency: 1,
    refusalPolicy: "skip" as const,
  },
  rating: { bootstrap: 50 },
};

async function baselineFit(storeFile: string) {
  const records = await elicit({
    backend,
    activities,
    design: settings.elicitation.design,
    storeFile,
    condition: "baseline",
    seed: settings.seed,
    samplesPerPair: 1,
    concurrency: 1,
  });
  return fitPreferences(records, activities, { bootstrap: 50, seed: settings.seed, refusalPolicy: "skip" });
}

describe("runSteering", () => {
  it("measures shifts that follow the planted rule: sign, dose-response, layers, r agreement", async () => {
    const storeFile = join(dir, "choices.jsonl");
    const baseline = await baselineFit(storeFile);
    const result = SteeringResultSchema.parse(
      await runSteering({
        ...settings,
        model,
        backend,
        activities,
        vectors,
        baseline,
        emotions: ["joyful", "hostile", "calm"],
        strengths: [0.5, 0, 1],
        layers: [1, 2],
        splits: 2,
        storeFile,
        probeR: { joyful: 0.6, hostile: -0.5, calm: 0.1 },
        layerSweep: [1, 2],
        shiftResamples: 200,
      }),
    );
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
    // Layer 2's residual norm is twice layer 1's, so steering it alone pushes harder.
    const sweep = result.layerSweep.filter((s) => s.emotion === "joyful");
    expect(sweep.map((s) => s.layer)).toEqual([1, 2]);
    expect(sweep[1].shift).toBeGreaterThan(sweep[0].shift);
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

  it("rejects a swept layer the model does not have, naming it", async () => {
    const storeFile = join(dir, "sweep-outside.jsonl");
    const baseline = await baselineFit(storeFile);
    await expect(
      runSteering({
        ...settings,
        model,
        backend,
        activities,
        vectors,
        baseline,
        emotions: ["joyful"],
        strengths: [0.5],
        splits: 1,
        storeFile,
        layerSweep: [1, 4],
      }),
    ).rejects.toThrow("steering.layerSweep: layer 4 is not inside 0..3");
  });

  it("uses the middle third of the depth by default", () => {
    expect(middleLayers(30)).toEqual([10, 19]);
    expect(middleLayers(4)).toEqual([1, 2]);
  });
});
