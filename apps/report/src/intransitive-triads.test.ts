import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PreferenceScoresSchema } from "@pva/core";
import { describe, expect, it } from "vitest";
import { writeRunFixture } from "../test/run-fixture.js";
import { intransitiveTriadsByActivity } from "./intransitive-triads.js";

describe("intransitiveTriadsByActivity", () => {
  it("counts a rock-paper-scissors cycle for each member and not for a transitive fourth", () => {
    // 0 > 1 > 2 > 0 is a cycle; 3 loses to everyone, so its triads are transitive.
    const p = [
      [null, 0.8, 0.3, 0.9],
      [0.2, null, 0.7, 0.9],
      [0.7, 0.3, null, 0.9],
      [0.1, 0.1, 0.1, null],
    ];
    expect(intransitiveTriadsByActivity(p)).toEqual([
      { triads: 3, cyclic: 1 },
      { triads: 3, cyclic: 1 },
      { triads: 3, cyclic: 1 },
      { triads: 3, cyclic: 0 },
    ]);
  });

  it("skips triads with a tie or an uncompared pair", () => {
    const p = [
      [null, 0.5, 0.9],
      [0.5, null, 0.9],
      [0.1, 0.1, null],
    ];
    expect(intransitiveTriadsByActivity(p).map((t) => t.triads)).toEqual([0, 0, 0]);
  });

  it("adds up to the run-wide share that @pva/prefs reports", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pva-report-triads-"));
    try {
      await writeRunFixture(dir, { parts: ["preferences"], resamples: 0 });
      const prefs = PreferenceScoresSchema.parse(
        JSON.parse(await readFile(join(dir, "preferences.json"), "utf8")),
      );
      const perActivity = intransitiveTriadsByActivity(prefs.winMatrix.p);
      // Each triad is counted once per member, three times in all.
      const triads = perActivity.reduce((s, t) => s + t.triads, 0) / 3;
      const cyclic = perActivity.reduce((s, t) => s + t.cyclic, 0) / 3;
      expect(cyclic).toBeGreaterThan(0);
      expect(cyclic / triads).toBeCloseTo(prefs.diagnostics.intransitiveTriadShare, 12);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
