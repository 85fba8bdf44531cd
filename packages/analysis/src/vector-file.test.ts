import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EmotionVectorsMeta } from "@pva/core";
import { writeSafetensors } from "@pva/lm";
import { afterAll, describe, expect, it } from "vitest";
import { loadEmotionVectors, saveEmotionVectors } from "./vector-file.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const dir = await mkdtemp(join(tmpdir(), "pva-vectors-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

// The matrix in fixtures/make-npy.reference.py.
const matrix = [1, 2, 3, 4, 5, 6, 7, 8, -1, 0, 0.5, 2];

const meta: EmotionVectorsMeta = {
  model: "builtin:random-tiny",
  modelHash: "abc",
  emotions: ["happy", "sad", "angry"],
  layers: [1, 3],
  hiddenSize: 4,
  corpusHash: "def",
  tokenOffset: 8,
  neutralVarianceShare: 0.5,
  neutralComponentsRemoved: { "1": 2, "3": 1 },
  meanResidNorm: { "1": 3.5, "3": 7.25 },
  geometry: {},
};

describe("emotion vector files", () => {
  it("round-trip through safetensors with their metadata", async () => {
    const file = join(dir, "vectors.safetensors");
    const ev = {
      meta,
      vectors: new Map([
        [1, Float32Array.from(matrix)],
        [3, Float32Array.from(matrix, (v) => -v)],
      ]),
    };
    await saveEmotionVectors(file, ev);
    const back = await loadEmotionVectors(file);
    expect(back.meta).toEqual(meta);
    expect(Array.from(back.vectors.get(1)!)).toEqual(matrix);
    expect(Array.from(back.vectors.get(3)!)).toEqual(matrix.map((v) => -v));
  });

  it("import safetensors written elsewhere, naming rows from its metadata", async () => {
    const file = join(dir, "external.safetensors");
    await writeSafetensors(
      file,
      { "layer.5": { shape: [3, 4], data: Float32Array.from(matrix) } },
      {
        emotions: JSON.stringify(["happy", "sad", "angry"]),
      },
    );
    const ev = await loadEmotionVectors(file, { model: "my-model" });
    expect(ev.meta.layers).toEqual([5]);
    expect(ev.meta.emotions).toEqual(["happy", "sad", "angry"]);
    expect(ev.meta.model).toBe("my-model");
    expect(ev.meta.geometry["5"].loadings).toHaveLength(3);
    expect(Array.from(ev.vectors.get(5)!)).toEqual(matrix);
  });

  it("import .npy matrices from numpy, C and Fortran order", async () => {
    for (const name of ["vectors-f8.npy", "vectors-f4-fortran.npy"]) {
      const ev = await loadEmotionVectors(join(fixtures, name), {
        layer: 2,
        emotions: ["happy", "sad", "angry"],
      });
      expect(ev.meta.hiddenSize).toBe(4);
      expect(Array.from(ev.vectors.get(2)!)).toEqual(matrix);
    }
  });

  it("say what is missing in one line", async () => {
    await expect(loadEmotionVectors(join(fixtures, "vectors-f8.npy"))).rejects.toThrow(
      "vectors-f8.npy: a .npy file holds one layer's vectors: say which layer they were read at",
    );
    await expect(loadEmotionVectors(join(fixtures, "vectors-f8.npy"), { layer: 0 })).rejects.toThrow(
      "vectors-f8.npy: 3 rows but no emotion names",
    );
    const file = join(dir, "other.safetensors");
    await writeSafetensors(file, { weights: { shape: [2], data: Float32Array.from([1, 2]) } });
    await expect(loadEmotionVectors(file)).rejects.toThrow(
      "other.safetensors: tensors: expected tensors named layer.{L}, found weights",
    );
  });
});
