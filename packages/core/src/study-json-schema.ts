import * as z from "zod";
import { StudyFileSchema } from "./schemas/study-config.js";

/** The published JSON Schema of study files: `study.schema.json` at the root of this package. */
export const STUDY_SCHEMA_FILE = "study.schema.json";

/**
 * The JSON Schema of a study file, generated from the zod schema that `loadStudy` validates with,
 * as a writer sees it (input side: fields with defaults are optional). Editors use it to check and
 * complete study files that name it in `$schema`; the checks zod runs beyond JSON Schema (a
 * template holds {a} and {b}, steering layers are ordered) stay with `loadStudy`.
 */
export function studyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(StudyFileSchema, { io: "input", unrepresentable: "any" });
  return {
    $schema: schema.$schema,
    title: "pva study",
    description:
      "A pva study file (study.json): the model, the activities and emotions, and how each stage runs. Only name and model.source are required; every other field has the default shown.",
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema")),
  };
}

/** The schema as the file is written: two-space JSON and a final newline. */
export function studyJsonSchemaText(): string {
  return `${JSON.stringify(studyJsonSchema(), null, 2)}\n`;
}
