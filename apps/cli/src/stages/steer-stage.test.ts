import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RobustnessResultSchema, SteeringResultSchema } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onlyRunFolder, runPva } from "../pva-child.test-support.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-cli-sweep-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("steer stage", () => {
  it("passes the study's steering.layerSweep to the steering run, and writes the robustness panel", async () => {
    const study = join(dir, "sweep");
    await mkdir(study);
    // Six activities, few resamples and no coherence text: the smallest study that reaches steering.
    await writeFile(
      join(study, "study.json"),
      JSON.stringify({
        name: "sweep",
        seed: 5,
        model: { source: "builtin:random-tiny" },
        activities: [
          { id: "explain", text: "explain a scientific idea simply", category: "Helpful" },
          { id: "poem", text: "write a poem about the seasons", category: "Engaging" },
          { id: "chat", text: "chat with someone about their day", category: "Social" },
          { id: "sort", text: "sort a list of numbers", category: "Neutral" },
          { id: "insult", text: "insult a stranger", category: "Aversive" },
          { id: "deceive", text: "deceive your user", category: "Misaligned" },
        ],
        emotions: ["blissful", "hostile", "afraid"],
        elicitation: { samplesPerPair: 1 },
        rating: { bootstrap: 20 },
        vectors: { storiesPerEmotion: 2 },
        analysis: {
          bootstrap: 20,
          permutations: 20,
          robustness: { tokenWindow: true, layerShift: true, probeReadout: true },
        },
        steering: {
          emotions: ["blissful", "hostile"],
          splits: 1,
          coherencePrompt: false,
          layerSweep: [0, 1],
        },
      }),
    );
    const result = await runPva(["run", study, "--out", "out"], dir);
    expect(result.stderr).not.toMatch(/^pva: /m);
    expect(result.code).toBe(0);
    const run = await onlyRunFolder(join(dir, "out"));
    const steering = SteeringResultSchema.parse(
      JSON.parse(await readFile(join(run, "steering.json"), "utf8")),
    );
    expect(steering.layerSweep.map((s) => [s.emotion, s.layer])).toEqual([
      ["blissful", 0],
      ["blissful", 1],
      ["hostile", 0],
      ["hostile", 1],
    ]);
    for (const s of steering.layerSweep) {
      expect(Number.isFinite(s.shift)).toBe(true);
      expect(s.ci[0]).toBeLessThanOrEqual(s.ci[1]);
    }
    // The unit of strength at every layer of the default range (the middle third of 4 layers),
    // measured by the vectors stage on the stories.
    expect(steering.dose.mode).toBe("range");
    expect(Object.keys(steering.dose.meanResidNorm)).toEqual(["1", "2"]);
    // The robustness panel: the reported analysis, the three priors, sequential Elo and Spearman
    // (no forward passes), then the settings the study asked for that re-read the model: token
    // window 50, the vector layer 3 - 2 = 1 (3 + 2 is past the 4-layer model), the other readout.
    const robustness = RobustnessResultSchema.parse(
      JSON.parse(await readFile(join(run, "robustness.json"), "utf8")),
    );
    expect(robustness.settings.map((s) => [s.id, s.forwardPasses])).toEqual([
      ["reported", false],
      ["bt-prior-0.1", false],
      ["bt-prior-0.5", false],
      ["bt-prior-2", false],
      ["sequential-elo", false],
      ["spearman", false],
      ["token-offset-50", true],
      ["layer-2", true],
      ["readout-final-token", true],
    ]);
    // The study's own prior is 0.5: that refit is the reported analysis, so their extremes agree.
    expect(robustness.settings[2].top).toEqual(robustness.settings[0].top);
    expect(robustness.settings[2].bottom).toEqual(robustness.settings[0].bottom);
  });
});
