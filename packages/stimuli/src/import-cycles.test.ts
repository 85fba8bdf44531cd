import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// The check lives once, in scripts/import-cycles.mjs; every package runs it on its own modules.
const check = new URL("../../../scripts/import-cycles.mjs", import.meta.url);

it("has no import cycles among its modules (type-only imports included)", async () => {
  const { importCycles } = await import(check.href);
  expect(await importCycles(fileURLToPath(new URL("..", import.meta.url)))).toEqual([]);
});
