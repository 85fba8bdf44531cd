import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultActivities } from "./catalogs/activities.js";
import { InputError } from "./errors.js";
import { loadStudy } from "./load-study.js";
import { studyActivities, studyEmotions } from "./study-selection.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "pva-study-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeStudy(dir: string, study: unknown, files: Record<string, string> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const file = join(dir, "study.json");
  await writeFile(file, JSON.stringify(study, null, 2));
  return file;
}

const csv = "id,text,category\na,sort a list,Neutral\nb,write a poem,Engaging\n";

describe("loadStudy", () => {
  it("accepts the $schema reference editors use, and leaves it out of the config and the hash", async () => {
    const study = { name: "x", model: { source: "builtin:random-tiny" } };
    const plain = await loadStudy(await writeStudy(join(root, "plain"), study));
    const withSchema = await loadStudy(
      await writeStudy(join(root, "schema"), { $schema: "../../packages/core/study.schema.json", ...study }),
    );
    expect(withSchema.hash).toBe(plain.hash);
    // the same study in another folder: only the resolved output folder differs
    expect({ ...withSchema.config, output: null }).toEqual({ ...plain.config, output: null });
    expect("$schema" in withSchema.config).toBe(false);
  });

  it("fills defaults and resolves relative paths against the study's folder", async () => {
    const dir = join(root, "experiments", "x");
    const file = await writeStudy(
      dir,
      {
        name: "x",
        model: { source: "models/smol" },
        activities: "acts.csv",
        vectors: { corpus: "../corpus" },
        analysis: { valenceNorms: "norms.json" },
      },
      { "acts.csv": csv, "norms.json": '{"source":"s","norms":[{"emotion":"happy","valence":8}]}' },
    );
    const { config, model, dir: studyDir, hash } = await loadStudy(file);
    expect(studyDir).toBe(dir);
    // the model is named by its portable id; where it is on this machine is the ModelSource's location
    expect(config.model.source).toBe("models/smol");
    expect(model).toEqual({ kind: "local", id: "models/smol", location: join(dir, "models", "smol") });
    expect(config.activities).toBe(join(dir, "acts.csv"));
    expect(config.vectors.corpus).toBe(join(root, "experiments", "corpus"));
    expect(config.analysis.valenceNorms).toBe(join(dir, "norms.json"));
    expect(config.output.dir).toBe(join(dir, "runs"));
    expect(config.elicitation.samplesPerPair).toBe(5);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await studyActivities(config)).toEqual([
      { id: "a", text: "sort a list", category: "Neutral" },
      { id: "b", text: "write a poem", category: "Engaging" },
    ]);
  });

  it("leaves model ids with a scheme and the builtin corpus alone", async () => {
    const file = await writeStudy(root, {
      name: "x",
      model: { source: "hf:HuggingFaceTB/SmolLM2-360M-Instruct" },
    });
    const { config, model } = await loadStudy(file);
    expect(config.model.source).toBe("hf:HuggingFaceTB/SmolLM2-360M-Instruct");
    expect(model).toEqual({
      kind: "hub",
      id: "hf:HuggingFaceTB/SmolLM2-360M-Instruct",
      location: "HuggingFaceTB/SmolLM2-360M-Instruct",
    });
    expect(config.vectors.corpus).toBe("builtin");
    expect(await studyActivities(config)).toEqual(defaultActivities);
    expect(studyEmotions(config)).toHaveLength(171);
  });

  it("gives the same hash to the same study in another folder, whatever the key order or output dir", async () => {
    const study = { name: "x", seed: 5, model: { source: "builtin:random-tiny" }, activities: "acts.csv" };
    const a = await loadStudy(await writeStudy(join(root, "a"), study, { "acts.csv": csv }));
    const b = await loadStudy(
      await writeStudy(
        join(root, "b", "deeper"),
        {
          activities: "acts.csv",
          model: { source: "builtin:random-tiny" },
          seed: 5,
          name: "x",
          output: { dir: "/elsewhere" },
        },
        { "acts.csv": csv },
      ),
    );
    expect(b.hash).toBe(a.hash);
  });

  it("changes the hash when a setting, a default-equal spelling aside, or a named file changes", async () => {
    const study = { name: "x", model: { source: "builtin:random-tiny" }, activities: "acts.csv" };
    const base = await loadStudy(await writeStudy(join(root, "a"), study, { "acts.csv": csv }));
    const explicitDefault = await loadStudy(
      await writeStudy(join(root, "b"), { ...study, seed: 1234 }, { "acts.csv": csv }),
    );
    const otherSeed = await loadStudy(
      await writeStudy(join(root, "c"), { ...study, seed: 1 }, { "acts.csv": csv }),
    );
    const otherFile = await loadStudy(
      await writeStudy(join(root, "d"), study, { "acts.csv": `${csv}c,read a book,Neutral\n` }),
    );
    expect(explicitDefault.hash).toBe(base.hash);
    expect(otherSeed.hash).not.toBe(base.hash);
    expect(otherFile.hash).not.toBe(base.hash);
  });

  it("reports a bad setting, a broken file and a missing named file as file: path: expectation", async () => {
    const bad = await writeStudy(join(root, "bad"), {
      name: "x",
      model: { source: "m" },
      activities: [
        { id: "a", text: "x", category: "Helpful" },
        { id: "b", text: "y", category: "Nice" },
      ],
    });
    await expect(loadStudy(bad)).rejects.toThrow(
      `${bad}: activities[1].category: expected one of Helpful, Engaging, Social, Self-curiosity, Neutral, Aversive, Misaligned, Unsafe, got "Nice"`,
    );
    // Bradley-Terry prior 0 (the plain MLE) is refused up front, naming the field.
    const flat = await writeStudy(join(root, "prior0"), {
      name: "x",
      model: { source: "m" },
      rating: { prior: 0 },
    });
    await expect(loadStudy(flat)).rejects.toThrow(
      `${flat}: rating.prior: expected a number > 0 (0 would be the plain MLE, which diverges for an activity that wins or loses every comparison)`,
    );
    const broken = join(root, "broken.json");
    await writeFile(broken, '{ "name": "x",\n  "model": { "source": "m" }\n  "seed": 1 }');
    await expect(loadStudy(broken)).rejects.toThrow(`${broken}: line 3:3: invalid JSON: comma expected`);
    const missing = await writeStudy(join(root, "missing"), {
      name: "x",
      model: { source: "m" },
      activities: "nope.csv",
    });
    const error = await loadStudy(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `${missing}: activities: cannot read "${join(root, "missing", "nope.csv")}": no such file`,
    );
  });

  it("selects the listed emotions in catalog order", async () => {
    const { config } = await loadStudy(
      await writeStudy(root, {
        name: "x",
        model: { source: "m" },
        emotions: ["hostile", "blissful", "at ease"],
      }),
    );
    expect(studyEmotions(config).map((e) => e.name)).toEqual(["blissful", "at ease", "hostile"]);
  });
});
