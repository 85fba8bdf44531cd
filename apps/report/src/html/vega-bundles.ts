import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The browser builds (UMD, minified) that the page inlines, in load order. */
const BUNDLES = [
  { module: "vega", file: "vega.min.js" },
  { module: "vega-lite", file: "vega-lite.min.js" },
  { module: "vega-embed", file: "vega-embed.min.js" },
] as const;

/**
 * Reads the installed vega, vega-lite and vega-embed browser builds, so the page needs no network
 * and draws with the same versions that rendered the SVGs. Each package's entry point sits in its
 * `build/` folder beside the UMD file. A `</script` inside the code would end the inline element,
 * so it is written `<\/script`, which means the same in any JS string, regex or comment.
 */
export async function readVegaBundles(): Promise<string[]> {
  return Promise.all(
    BUNDLES.map(async ({ module, file }) => {
      const code = await readFile(join(dirname(require.resolve(module)), file), "utf8");
      return code.replace(/<\/script/gi, "<\\/script");
    }),
  );
}
