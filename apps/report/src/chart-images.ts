import { renderAsync } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { CHART_FONT } from "./chart-font.js";

/**
 * The chart as SVG, drawn headless by vega (no canvas: text widths are estimated, which is
 * deterministic). Gradient and clip ids come from counters global to the process, so they are
 * reset first: the second chart rendered must not get different ids than when it is rendered alone.
 */
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  vega.resetSVGDefIds();
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The SVG rasterised at `scale` with the given font files only, so the pixels do not depend on the
 * machine's fonts. resvg draws on libuv's thread pool, so several PNGs render in parallel while
 * vega lays out the next chart.
 */
export async function svgToPng(svg: string, fontFiles: readonly string[], scale: number): Promise<Buffer> {
  const image = await renderAsync(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: {
      fontFiles: [...fontFiles],
      loadSystemFonts: false,
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
    },
  });
  return image.asPng();
}
