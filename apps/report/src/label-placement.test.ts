import { describe, expect, it } from "vitest";
import { type LabelledPoint, paddedFrame, placeLabels } from "./label-placement.js";

const FONT = 10;
const RADIUS = 4;

/** The box a placed label covers, in pixels, measured the way placeLabels measures text. */
function box(
  centre: { x: number; y: number },
  label: string,
  toPx: (p: { x: number; y: number }) => { x: number; y: number },
) {
  const c = toPx(centre);
  const w = label.length * FONT * 0.62;
  return { left: c.x - w / 2, right: c.x + w / 2, top: c.y - FONT / 2, bottom: c.y + FONT / 2 };
}

describe("placeLabels", () => {
  it("labels two points that sit on top of each other without their labels touching (proud/ashamed)", () => {
    const points: LabelledPoint[] = [
      { x: 0.5, y: 0.5, label: "proud" },
      { x: 0.502, y: 0.501, label: "ashamed" },
      { x: 0.1, y: 0.9, label: "" },
    ];
    const frame = paddedFrame(points, 400, 300);
    const toPx = (p: { x: number; y: number }) => ({
      x: ((p.x - frame.x[0]) / (frame.x[1] - frame.x[0])) * 400,
      y: 300 - ((p.y - frame.y[0]) / (frame.y[1] - frame.y[0])) * 300,
    });
    const placed = placeLabels(points, frame, { fontSize: FONT, pointRadius: RADIUS });
    expect(placed[2]).toBeNull();
    const [a, b] = [box(placed[0]!, "proud", toPx), box(placed[1]!, "ashamed", toPx)];
    const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
    expect(apart).toBe(true);
    // neither label covers either point
    for (const label of [a, b])
      for (const p of points.slice(0, 2).map(toPx))
        expect(
          label.right <= p.x - RADIUS ||
            label.left >= p.x + RADIUS ||
            label.bottom <= p.y - RADIUS ||
            label.top >= p.y + RADIUS,
        ).toBe(true);
  });

  it("leaves a label out rather than overlap when a crowd leaves no room, and keeps labels inside the plot", () => {
    const crowd: LabelledPoint[] = Array.from({ length: 40 }, (_, i) => ({
      x: (i % 8) * 0.01,
      y: Math.floor(i / 8) * 0.01,
      label: `emotion-${i}`,
    }));
    const frame = paddedFrame(crowd, 120, 80, 0);
    const placed = placeLabels(crowd, frame, { fontSize: FONT, pointRadius: RADIUS });
    expect(placed.some((p) => p === null)).toBe(true);
    for (const p of placed.filter((q) => q !== null)) {
      expect(p!.x).toBeGreaterThanOrEqual(frame.x[0]);
      expect(p!.x).toBeLessThanOrEqual(frame.x[1]);
    }
  });

  it("pads the data range so that no point sits on an axis", () => {
    const frame = paddedFrame(
      [
        { x: -0.37, y: -49.7 },
        { x: 0.44, y: 82.4 },
      ],
      400,
      300,
    );
    expect(frame.x[0]).toBeCloseTo(-0.37 - 0.81 * 0.08, 10);
    expect(frame.y[1]).toBeCloseTo(82.4 + 132.1 * 0.08, 10);
  });
});
