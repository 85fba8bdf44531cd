// The import cycles among a package's own modules. Each package's import-cycles test runs it on
// its folder, so a cycle fails that package's tests. Type-only imports count too: a cycle of
// types is still two modules that cannot be understood one without the other.
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";

/** Relative specifiers of `import ... from`, `export ... from`, `import "..."` and `import("...")`. */
const SPECIFIER =
  /(?:^|[;\s}])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

async function sourceFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && /\.(ts|mts)$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** `./x.js` written in `from` -> the .ts file it names, when it is one of `files`. */
function target(from, specifier, files) {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.mjs$/, ".mts"),
    base,
    `${base}.ts`,
    join(base, "index.ts"),
  ])
    if (files.has(candidate)) return candidate;
  return null;
}

/**
 * Every cycle of the import graph of the .ts files below `root`'s `src`, `test` and `bench`
 * folders: one entry per strongly connected component that is a cycle, as paths relative to
 * `root` ("/"-separated, sorted).
 */
export async function importCycles(root) {
  const files = new Set(
    (await Promise.all(["src", "test", "bench"].map((d) => sourceFiles(join(root, d))))).flat(),
  );
  const edges = new Map();
  for (const file of files) {
    const text = await readFile(file, "utf8");
    const out = new Set();
    for (const match of text.matchAll(SPECIFIER)) {
      const to = target(file, match[1] ?? match[2], files);
      if (to !== null) out.add(to);
    }
    edges.set(file, out);
  }
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges.get(v).has(v))
      cycles.push(component.map((f) => relative(root, f).split(sep).join("/")).sort());
  };
  for (const file of [...files].sort()) if (!index.has(file)) visit(file);
  return cycles.sort((x, y) => x[0].localeCompare(y[0]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cycles = await importCycles(resolve(process.argv[2] ?? "."));
  for (const cycle of cycles) console.log(cycle.join(" <-> "));
  process.exit(cycles.length === 0 ? 0 : 1);
}
