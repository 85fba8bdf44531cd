import { describe, expect, it } from "vitest";
import { DEFAULT_FONT_FILES } from "./chart-font.js";
import { chartSvg, svgToPng } from "./chart-images.js";

describe("chartSvg", () => {
  it("keeps the SVG well-formed whatever the label text, so rasterising never fails on it", async () => {
    const labels = ["tidy the desk \u0000 now", "red \u001b[31m text", "bell \u0007", "plain"];
    const svg = await chartSvg({
      data: { values: labels.map((label, i) => ({ label, value: i + 1 })) },
      mark: "bar",
      encoding: { y: { field: "label", type: "nominal" }, x: { field: "value", type: "quantitative" } },
    });
    for (let code = 0; code < 0x20; code++)
      if (code !== 0x09 && code !== 0x0a && code !== 0x0d)
        expect(svg).not.toContain(String.fromCharCode(code));
    expect(svg).not.toMatch(/&#x?0*(?:0|1b|7|27);/i);
    expect(svg).toContain("plain");
    const png = await svgToPng(svg, DEFAULT_FONT_FILES, 1);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
  });
});
