import { access } from "node:fs/promises";
import { PvaError } from "@pva/core";

/**
 * The font the PNGs are drawn with (Debian's fonts-dejavu-core); naming it in the spec makes the
 * SVG text and the browser use the same family, so the three outputs look alike.
 */
export const CHART_FONT = "DejaVu Sans";

/** Debian's fonts-dejavu-core: a fixed font file makes the PNGs the same on every machine that has it. */
export const DEFAULT_FONT_FILES = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
];

/** The font files for the PNGs, or a one-line error saying how to install them. */
export async function chartFontFiles(files: readonly string[] = DEFAULT_FONT_FILES): Promise<string[]> {
  for (const file of files) {
    try {
      await access(file);
    } catch {
      throw new PvaError(
        `PNG charts need the font file ${file}: install it (Debian: apt-get install fonts-dejavu-core) or pass fontFiles`,
        "E_FONT",
      );
    }
  }
  return [...files];
}
