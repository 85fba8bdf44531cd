import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The check lives once, in scripts/import-cycles.mjs; every package runs it on its own modules.
const check = new URL("../../../scripts/import-cycles.mjs", import.meta.url);

describe("import cycles", () => {
  it("core has none among its modules (type-only imports included)", async () => {
    const { importCycles } = await import(check.href);
    expect(await importCycles(fileURLToPath(new URL("..", import.meta.url)))).toEqual([]);
  });

  it("the check finds a cycle through type-only, multi-line and re-export imports, and only the cycle", async () => {
    const { importCycles } = await import(check.href);
    const root = await mkdtemp(join(tmpdir(), "pva-import-cycles-"));
    try {
      await mkdir(join(root, "src", "sub"), { recursive: true });
      const files: Record<string, string> = {
        "src/a.ts": 'import type {\n  B,\n} from "./sub/b.js";\nexport type A = B;\n',
        "src/sub/b.ts": 'export { c as B } from "../c.js";\n',
        "src/c.ts": 'import { a } from "./a.js";\nimport { d } from "./d.js";\nexport const c = 1;\n',
        "src/d.ts": 'import { readFile } from "node:fs";\nexport const d = 1;\n',
      };
      for (const [file, text] of Object.entries(files)) await writeFile(join(root, file), text);
      expect(await importCycles(root)).toEqual([["src/a.ts", "src/c.ts", "src/sub/b.ts"]]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
