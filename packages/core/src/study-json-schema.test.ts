import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { STUDY_SCHEMA_FILE, studyJsonSchema, studyJsonSchemaText } from "./study-json-schema.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const experiments = fileURLToPath(new URL("../../../experiments/", import.meta.url));

describe("study.schema.json", () => {
  it("is what the zod schema generates now (regenerate: pnpm --filter @pva/core schema)", async () => {
    expect(await readFile(join(packageDir, STUDY_SCHEMA_FILE), "utf8")).toBe(studyJsonSchemaText());
  });

  // ajv, a JSON Schema validator as editors use, stands in for the editor.
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(studyJsonSchema());

  it("accepts every shipped study, each of which names it in $schema", async () => {
    const names = (await readdir(experiments, { withFileTypes: true })).filter((e) => e.isDirectory());
    expect(names.length).toBeGreaterThan(1);
    for (const { name } of names) {
      const study = JSON.parse(await readFile(join(experiments, name, "study.json"), "utf8"));
      expect(study.$schema, name).toBe(`../../packages/core/${STUDY_SCHEMA_FILE}`);
      expect(validate(study), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it("flags what loadStudy rejects: a misspelt key, a missing model source, an unknown emotion, a bad design", () => {
    const ok = { name: "s", model: { source: "builtin:random-tiny" } };
    expect(validate(ok)).toBe(true);
    for (const bad of [
      { ...ok, elicitaton: {} },
      { name: "s", model: {} },
      { ...ok, emotions: ["blissful", "blisful"] },
      { ...ok, elicitation: { design: { kind: "active", budget: 0 } } },
      { ...ok, model: { source: "x", backend: "vllm" } },
    ])
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
    // defaults are shown, so an editor can offer them
    const schema = studyJsonSchema() as { properties: { seed: { default: number } } };
    expect(schema.properties.seed.default).toBe(1234);
  });
});
