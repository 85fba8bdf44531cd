import { renderAsync } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { CHART_FONT } from "./chart-font.js";

/**
 * XML 1.0 allows no C0 control character but tab, newline and carriage return; resvg refuses a
 * document with one (and vega writes label text as it is). pva refuses such text where it is
 * loaded, so this is the last guard: whatever text reaches a chart, the SVG stays well-formed.
 */
function xmlSafe(svg: string): string {
  let safe = "";
  for (const char of svg) {
    const code = char.charCodeAt(0);
    safe += code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d ? "\ufffd" : char;
  }
  // ...and the same characters written as character references (&#0; &#x1b;).
  return safe.replace(/&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])|x0*(?:[0-8bcef]|1[0-9a-f]));/gi, "\ufffd");
}

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
    return xmlSafe(await view.toSVG());
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
