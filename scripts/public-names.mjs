// The names a package's entry point (src/index.ts) exports, read from its source: what users and
// other packages can import. Each package's public-api test compares them with a written list, so
// widening (or narrowing) a package's API is a visible decision in a diff, never a side effect.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import ts from "typescript";

/** Exported names of one module, following `export * from "./x.js"` into the package's own files. */
async function exportsOf(file, seen = new Set()) {
  if (seen.has(file)) return [];
  seen.add(file);
  const source = ts.createSourceFile(file, await readFile(file, "utf8"), ts.ScriptTarget.Latest, false);
  const names = [];
  const exported = (node) => ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export;
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (statement.exportClause && ts.isNamedExports(statement.exportClause))
        for (const element of statement.exportClause.elements) names.push(element.name.text);
      else if (statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
        const target = resolve(dirname(file), statement.moduleSpecifier.text.replace(/\.js$/, ".ts"));
        names.push(...(await exportsOf(target, seen)));
      }
    } else if (ts.isVariableStatement(statement) && exported(statement)) {
      for (const declaration of statement.declarationList.declarations)
        if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name &&
      exported(statement)
    )
      names.push(statement.name.text);
  }
  return names;
}

/** The sorted public names of the package whose entry point is `indexFile`. */
export async function publicNames(indexFile) {
  return [...new Set(await exportsOf(resolve(indexFile)))].sort();
}
