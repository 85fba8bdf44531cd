import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Activity, defaultActivities } from "@pva/core";
import { loadModel, type Model, type TournamentSteering, tokenSpan } from "@pva/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { elicit } from "../elicit.js";
import { fitPreferences } from "../fit-preferences.js";
import { rawPrompt } from "../prompts.js";
import { createEmbeddedBackend, labelTokenIds } from "./embedded-backend.js";

let dir: string;
let model: Model;
const activities = defaultActivities.slice(0, 5);
const [x, y] = activities;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-prefs-embedded-"));
  model = await loadModel("builtin:random-tiny", { cacheDir: join(dir, "models") });
});
afterAll(async () => {
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** P(A), P(B) and the label mass from a plain forward pass of the whole prompt, no cache. */
async function referenceReadout(a: Activity, b: Activity, steer: Parameters<Model["forward"]>[1] = {}) {
  const ids = model.tokenizer.encode(rawPrompt(a, b).text);
  const { logits } = await model.forward(ids, { logits: "last", ...steer });
  const probabilities = Array.from(logits, (l) => Math.exp(l));
  const z = probabilities.reduce((s, p) => s + p, 0);
  const massOf = (label: "A" | "B") =>
    labelTokenIds(model, label).reduce((s, id) => s + probabilities[id] / z, 0);
  const massA = massOf("A");
  const massB = massOf("B");
  return { pA: massA / (massA + massB), labelMass: massA + massB };
}

describe("embedded backend on builtin:random-tiny", () => {
  it("finds the label tokens and their leading-space variants", () => {
    const a = labelTokenIds(model, "A");
    const b = labelTokenIds(model, "B");
    expect(a.length).toBeGreaterThanOrEqual(1);
    // the tokens "A" and "ĠA" where the vocabulary has them, as the backend has always counted
    // them (so its results are unchanged)
    const pieces = (label: string) =>
      [label, `Ġ${label}`]
        .map((t) => model.tokenizer.tokenToId(t))
        .filter((id) => id !== undefined)
        .sort((m, n) => m - n);
    expect(a).toEqual(pieces("A"));
    expect(b).toEqual(pieces("B"));
  });

  it("renormalises over the labels: P(A)+P(B)=1, off-label mass = 1 - label mass, as a plain forward pass gives", async () => {
    for (const reuse of [true, false]) {
      const backend = createEmbeddedBackend(model, { template: "raw", prefixReuse: reuse });
      for (const [a, b] of [
        [x, y],
        [y, x],
        [activities[2], activities[4]],
      ]) {
        const answer = await backend.answer({ a, b, readout: "logits", sampleIndex: 0, seed: 1 });
        const reference = await referenceReadout(a, b);
        expect(answer.pA! + answer.pB!).toBeCloseTo(1, 12);
        expect(answer.pA!).toBeCloseTo(reference.pA, 5);
        expect(answer.offLabelMass!).toBeCloseTo(1 - reference.labelMass, 6);
        // a random model spreads its mass: most of it is off the labels, and that is reported
        expect(answer.offLabelMass!).toBeGreaterThan(0.5);
        expect(answer.choice).toBe(answer.pA! >= 0.5 ? "A" : "B");
      }
    }
  });

  it("credits each order to the right activity: the win matrix pools P(A) of one order with P(B) of the other", async () => {
    const backend = createEmbeddedBackend(model, { template: "raw" });
    const records = await elicit({
      backend,
      activities,
      design: { kind: "full" },
      storeFile: join(dir, "both-orders.jsonl"),
      condition: "baseline",
      seed: 3,
      samplesPerPair: 1,
      concurrency: 3,
    });
    expect(records).toHaveLength(20);
    const scores = fitPreferences(records, activities, { bootstrap: 0, seed: 3, refusalPolicy: "skip" });
    const p = scores.winMatrix.p;
    for (let i = 0; i < activities.length; i++) {
      for (let j = 0; j < activities.length; j++) {
        if (i === j) continue;
        const ij = records.find((r) => r.a === activities[i].id && r.b === activities[j].id)!;
        const ji = records.find((r) => r.a === activities[j].id && r.b === activities[i].id)!;
        expect(p[i][j]!).toBeCloseTo((ij.pA! + ji.pB!) / 2, 12);
        expect(p[i][j]! + p[j][i]!).toBeCloseTo(1, 12);
      }
    }
  });

  it("steers only the steered activity's tokens, with or without prefix reuse", async () => {
    const prompt = rawPrompt(x, y);
    const { ids, offsets } = model.tokenizer.encodeWithOffsets(prompt.text);
    const span = tokenSpan(offsets, prompt.spans.a);
    expect(model.tokenizer.decode(ids.slice(span.start, span.end)).trim()).toBe(x.text);

    const vector = new Float32Array(model.config.hiddenSize).map((_, i) => Math.sin(i + 1));
    const steering: TournamentSteering = {
      activityIds: new Set([x.id]),
      vectors: [{ site: "blocks.1.hook_resid_post", vector, scale: 4 }],
    };
    const reference = await referenceReadout(x, y, {
      steer: [{ site: "blocks.1.hook_resid_post", vector, scale: 4, positions: span }],
    });
    const unsteered = await referenceReadout(x, y);
    expect(Math.abs(reference.pA - unsteered.pA)).toBeGreaterThan(1e-4);
    for (const reuse of [true, false]) {
      const backend = createEmbeddedBackend(model, { template: "raw", prefixReuse: reuse });
      // warm the prefix cache with an unsteered prompt first
      await backend.answer({ a: y, b: x, readout: "logits", sampleIndex: 0, seed: 1 });
      const steered = await backend.answer({
        a: x,
        b: y,
        readout: "logits",
        sampleIndex: 0,
        seed: 1,
        steer: steering,
      });
      expect(steered.pA!).toBeCloseTo(reference.pA, 5);
      // the same first activity next, unsteered then steered: cached steered positions must not leak
      const z = activities[2];
      const unsteeredNext = await backend.answer({ a: x, b: z, readout: "logits", sampleIndex: 0, seed: 1 });
      expect(unsteeredNext.pA!).toBeCloseTo((await referenceReadout(x, z)).pA, 5);
      const steeredNext = await backend.answer({
        a: x,
        b: z,
        readout: "logits",
        sampleIndex: 0,
        seed: 1,
        steer: steering,
      });
      const zPrompt = rawPrompt(x, z);
      const zSpan = tokenSpan(model.tokenizer.encodeWithOffsets(zPrompt.text).offsets, zPrompt.spans.a);
      const zReference = await referenceReadout(x, z, {
        steer: [{ site: "blocks.1.hook_resid_post", vector, scale: 4, positions: zSpan }],
      });
      expect(steeredNext.pA!).toBeCloseTo(zReference.pA, 5);
      // a prompt without the steered activity is untouched
      const others = [activities[2], activities[3]] as const;
      const plain = await backend.answer({
        a: others[0],
        b: others[1],
        readout: "logits",
        sampleIndex: 0,
        seed: 1,
      });
      const withSteer = await backend.answer({
        a: others[0],
        b: others[1],
        readout: "logits",
        sampleIndex: 0,
        seed: 1,
        steer: steering,
      });
      expect(withSteer.pA).toBe(plain.pA);
    }
  });

  it("samples answers through generate and classifies them", async () => {
    const backend = createEmbeddedBackend(model, { template: "raw", maxNewTokens: 3 });
    const answer = await backend.answer({ a: x, b: y, readout: "samples", sampleIndex: 0, seed: 1 });
    expect(typeof answer.rawAnswer).toBe("string");
    expect(["A", "B", "refusal", "unparseable"]).toContain(answer.choice);
    const again = await backend.answer({ a: x, b: y, readout: "samples", sampleIndex: 0, seed: 1 });
    expect(again.rawAnswer).toBe(answer.rawAnswer);
  });
});
