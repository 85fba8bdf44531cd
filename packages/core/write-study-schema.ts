/** Writes study.schema.json from the zod schema: pnpm --filter @pva/core schema */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { STUDY_SCHEMA_FILE, studyJsonSchemaText } from "./src/study-json-schema.js";

const file = fileURLToPath(new URL(STUDY_SCHEMA_FILE, import.meta.url));
await writeFile(file, studyJsonSchemaText());
console.log(`wrote ${file}`);
