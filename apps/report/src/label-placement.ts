/**
 * Places point labels on a scatter chart so that they cover neither each other nor the points:
 * each label takes the first free spot of a fixed list around its point (above, right, left,
 * below, the diagonals, then the same further out), or is left out when none is free. Vega-Lite
 * cannot do this itself, so the chart gets the label centres as data; it must draw with the frame
 * given here (these domains, no "nice" rounding) for the pixels to agree.
 */

/** The plot area in pixels and the data range it shows. */
export interface PlotFrame {
  width: number;
  height: number;
  x: [number, number];
  y: [number, number];
}

export interface LabelledPoint {
  x: number;
  y: number;
  /** "" for a point without a label. */
  label: string;
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** DejaVu Sans is wide: 0.62 em per character over-estimates ordinary names a little, which is the safe side. */
const CHAR_WIDTH_EM = 0.62;

/**
 * A frame whose domains pad the data by `share` of its range on each side, so no point sits on an
 * axis and the labels at the edges have room.
 */
export function paddedFrame(
  points: readonly { x: number; y: number }[],
  width: number,
  height: number,
  share = 0.08,
): PlotFrame {
  const pad = (values: number[]): [number, number] => {
    const low = Math.min(...values);
    const high = Math.max(...values);
    const margin = high > low ? (high - low) * share : Math.max(Math.abs(low), 1) * share;
    return [low - margin, high + margin];
  };
  return { width, height, x: pad(points.map((p) => p.x)), y: pad(points.map((p) => p.y)) };
}

/**
 * The centre of each point's label in data units, or null (no label, or no free spot). Points are
 * labelled in the order given, so put the ones that matter most first.
 */
export function placeLabels(
  points: readonly LabelledPoint[],
  frame: PlotFrame,
  { fontSize, pointRadius }: { fontSize: number; pointRadius: number },
): ({ x: number; y: number } | null)[] {
  const toPx = (p: { x: number; y: number }) => ({
    x: ((p.x - frame.x[0]) / (frame.x[1] - frame.x[0])) * frame.width,
    y: frame.height - ((p.y - frame.y[0]) / (frame.y[1] - frame.y[0])) * frame.height,
  });
  const toData = (px: { x: number; y: number }) => ({
    x: frame.x[0] + (px.x / frame.width) * (frame.x[1] - frame.x[0]),
    y: frame.y[0] + ((frame.height - px.y) / frame.height) * (frame.y[1] - frame.y[0]),
  });
  const pixels = points.map(toPx);
  const taken: Box[] = pixels.map((p) => ({
    left: p.x - pointRadius,
    right: p.x + pointRadius,
    top: p.y - pointRadius,
    bottom: p.y + pointRadius,
  }));
  const overlaps = (a: Box, b: Box) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const inside = (b: Box) => b.left >= 0 && b.right <= frame.width && b.top >= 0 && b.bottom <= frame.height;

  return points.map((point, i) => {
    if (point.label === "") return null;
    const w = point.label.length * fontSize * CHAR_WIDTH_EM;
    const h = fontSize;
    const gap = pointRadius + 2;
    // centre offsets from the point, in order of preference
    const near = [
      [0, -(gap + h / 2)],
      [gap + w / 2, 0],
      [-(gap + w / 2), 0],
      [0, gap + h / 2],
      [gap + w / 2, -(gap + h / 2)],
      [-(gap + w / 2), -(gap + h / 2)],
      [gap + w / 2, gap + h / 2],
      [-(gap + w / 2), gap + h / 2],
    ];
    const candidates = [
      ...near,
      ...near.map(([dx, dy]) => [dx + Math.sign(dx) * gap * 2, dy + Math.sign(dy) * h]),
    ];
    for (const [dx, dy] of candidates) {
      const centre = { x: pixels[i].x + dx, y: pixels[i].y + dy };
      const box = {
        left: centre.x - w / 2,
        right: centre.x + w / 2,
        top: centre.y - h / 2,
        bottom: centre.y + h / 2,
      };
      if (!inside(box) || taken.some((other) => overlaps(box, other))) continue;
      taken.push(box);
      return toData(centre);
    }
    return null;
  });
}
