import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError, PvaError } from "./errors.js";
import { loadStudy } from "./load-study.js";
import { apiModelId, apiModelName, endpointModelSource, parseModelSource } from "./model-source.js";
import { StudyConfigSchema } from "./schemas/study-config.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "pva-model-source-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("parseModelSource", () => {
  it("names builtin and hub models by the source as written", () => {
    expect(parseModelSource("builtin:random-tiny", "/x")).toEqual({
      kind: "builtin",
      id: "builtin:random-tiny",
      location: "random-tiny",
    });
    expect(parseModelSource("hf:org/name@v1.0", "/x")).toEqual({
      kind: "hub",
      id: "hf:org/name@v1.0",
      location: "org/name@v1.0",
    });
  });

  it("names a local folder relative to the study's folder, wherever it was named from", () => {
    const study = join(root, "exp", "s");
    const fromStudy = parseModelSource("../../models/m", study);
    const fromCwd = parseModelSource(join(root, "models", "m"), root, study);
    expect(fromStudy).toEqual({ kind: "local", id: "../../models/m", location: join(root, "models", "m") });
    expect(fromCwd).toEqual(fromStudy);
    expect(parseModelSource("./m.gguf", study).id).toBe("m.gguf");
  });

  it("refuses a malformed hub name and an unknown scheme in one line", () => {
    expect(() => parseModelSource("hf:just-a-name", "/x")).toThrow(/hf:just-a-name: expected hf:org\/name/);
    expect(() => parseModelSource("s3:bucket/model", "/x")).toThrow(PvaError);
  });

  it("names an API by its backend and served name", () => {
    const model = StudyConfigSchema.parse({
      name: "x",
      model: { source: "hf:org/m", backend: "openai", endpoints: ["http://h:1/v1"] },
    }).model;
    expect(apiModelName(model)).toBe("org/m");
    expect(endpointModelSource(model)).toEqual({
      kind: "endpoint",
      id: "openai:org/m",
      location: "http://h:1/v1",
    });
    expect(apiModelId("anthropic", "claude-x")).toBe("anthropic:claude-x");
    const embedded = StudyConfigSchema.parse({ name: "x", model: { source: "builtin:random-tiny" } }).model;
    expect(() => endpointModelSource(embedded)).toThrow(
      "endpointModelSource: the embedded backend is not an API",
    );
  });
});

describe("loadStudy's model", () => {
  it("keeps the study hash of a local model as before the portable id (pinned from the previous rule)", async () => {
    const dir = join(root, "exp", "s");
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "study.json"),
      JSON.stringify({ name: "x", model: { source: "./models/smol" } }),
    );
    const study = await loadStudy(join(dir, "study.json"));
    // computed by the loader that resolved the path to absolute and hashed it relative
    expect(study.hash).toBe("8619bbf83607ff71fb07378f9e067cf9779e27ebbd964f5c3f92515299a8ec46");
    expect(study.config.model.source).toBe("models/smol");
    expect(study.model.location).toBe(join(dir, "models", "smol"));
  });

  it("reports a bad model source as the study file's field", async () => {
    await writeFile(join(root, "study.json"), JSON.stringify({ name: "x", model: { source: "hf:nope" } }));
    const error = await loadStudy(join(root, "study.json")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).path).toBe("model.source");
  });
});
