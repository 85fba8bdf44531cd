import { access } from "node:fs/promises";
import { createRequire } from "node:module";
import { PvaError } from "@pva/core";

/**
 * The font the PNGs are drawn with; naming it in the spec makes the SVG text and the browser use
 * the same family, so the three outputs look alike.
 */
export const CHART_FONT = "DejaVu Sans";

const require = createRequire(import.meta.url);

/**
 * DejaVu Sans from the npm package dejavu-fonts-ttf (a dependency, so every OS has the same file
 * and the PNGs are the same bytes everywhere). Its glyphs are those of Debian's fonts-dejavu-core
 * 2.37, which earlier versions read: the PNGs did not change.
 */
export const DEFAULT_FONT_FILES = [
  require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
  require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
];

/** The font files for the PNGs, checked to be there, or a one-line error naming the missing one. */
export async function chartFontFiles(files: readonly string[] = DEFAULT_FONT_FILES): Promise<string[]> {
  for (const file of files) {
    try {
      await access(file);
    } catch {
      throw new PvaError(`PNG charts need the font file ${file}, which cannot be read`, "E_FONT");
    }
  }
  return [...files];
}
