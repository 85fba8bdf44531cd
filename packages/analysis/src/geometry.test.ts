import { describe, expect, it } from "vitest";
import { vectorGeometry } from "./geometry.js";

// Four emotions on two orthogonal axes with known scores: valence +-3 on axis 0, arousal +-1 on
// axis 1. Centred data, so the PC variance shares are 9/(9+1) and 1/(9+1) exactly.
const emotions = ["happy", "calm", "angry", "sad"];
const clusters = ["Exuberant Joy", "Peaceful Contentment", "Hostile Anger", "Despair and Shame"];
const scores: [number, number][] = [
  [3, 1],
  [3, -1],
  [-3, 1],
  [-3, -1],
];

function embed(flip: number): Float64Array[] {
  // Put the axes along (1,1,0,0)/sqrt2 and (0,0,1,-1)/sqrt2 in a 5-d space, with a sign flip so
  // the orientation rule has something to undo.
  const s = Math.SQRT1_2;
  return scores.map(([v, a]) => Float64Array.from([flip * v * s, flip * v * s, -a * s, a * s, 0]));
}

describe("vector geometry", () => {
  for (const flip of [1, -1]) {
    it(`recovers PC shares, oriented loadings and coherence (input sign ${flip})`, () => {
      const g = vectorGeometry(embed(flip), emotions, clusters);
      expect(g.pcShares[0]).toBeCloseTo(0.9, 12);
      expect(g.pcShares[1]).toBeCloseTo(0.1, 12);
      // PC1 points at the positive clusters; PC2 at the high-arousal ones (joy, anger).
      g.loadings.forEach(({ pc1, pc2 }, i) => {
        expect(pc1).toBeCloseTo(scores[i][0], 10);
        const arousalSign = i === 0 || i === 2 ? 1 : -1;
        expect(Math.sign(pc2)).toBe(arousalSign);
        expect(Math.abs(pc2)).toBeCloseTo(1, 10);
      });
    });
  }

  it("cluster coherence averages within- and between-cluster cosines", () => {
    // happy and calm share a cluster: cos = (9 - 1)/10 = 0.8 within.
    const g = vectorGeometry(embed(1), emotions, ["A", "A", "B", null]);
    expect(g.clusterCoherence.within).toBeCloseTo(0.8, 12);
    // sad has no cluster and is left out: between pairs are happy-angry (-9 + 1)/10 = -0.8 and
    // calm-angry (-9 - 1)/10 = -1, mean -0.9.
    expect(g.clusterCoherence.between).toBeCloseTo(-0.9, 12);
  });
});
