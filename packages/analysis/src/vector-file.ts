import { readFile } from "node:fs/promises";
import {
  type EmotionVectorsMeta,
  EmotionVectorsMetaSchema,
  emotionCatalog,
  findEmotion,
  InputError,
  parseWithSchema,
} from "@pva/core";
import { readSafetensors, writeSafetensors } from "@pva/lm";
import { parse as parseNpy } from "npyjs";
import { vectorGeometry } from "./geometry.js";
import type { EmotionVectors } from "./vectors.js";

/** Metadata key under which pva keeps its JSON in a safetensors header. */
const META_KEY = "pva";

function tensorName(layer: number): string {
  return `layer.${layer}`;
}

/** Writes `layer.{L}` F32 [emotions, hidden] tensors with the metadata as JSON under "pva". */
export async function saveEmotionVectors(file: string, ev: EmotionVectors): Promise<void> {
  const { emotions, hiddenSize, layers } = ev.meta;
  const tensors = new Map(
    layers.map((layer) => {
      const data = ev.vectors.get(layer);
      if (!data || data.length !== emotions.length * hiddenSize)
        throw new RangeError(
          `saveEmotionVectors: layer ${layer} needs ${emotions.length} x ${hiddenSize} values`,
        );
      return [tensorName(layer), { shape: [emotions.length, hiddenSize], data }];
    }),
  );
  await writeSafetensors(file, tensors, {
    [META_KEY]: JSON.stringify(ev.meta),
    emotions: JSON.stringify(emotions),
  });
}

export interface ImportOptions {
  /** Emotion of each row, for files without pva metadata (default: the 171-word catalog if it fits). */
  emotions?: readonly string[];
  /** The layer a .npy file was read at (a .npy holds one [emotions, hidden] matrix). */
  layer?: number;
  /** Model the imported vectors belong to, recorded in the metadata. */
  model?: string;
}

/**
 * Loads emotion vectors saved by pva, or imports ones computed elsewhere: a safetensors file with
 * `layer.{L}` [emotions, hidden] tensors (emotion names from its "emotions" metadata or `opts`),
 * or a .npy [emotions, hidden] matrix for `opts.layer`. Imported vectors get their geometry
 * computed here; facts pva cannot know (corpus, token offset, residual norms) are left empty.
 */
export async function loadEmotionVectors(file: string, opts: ImportOptions = {}): Promise<EmotionVectors> {
  if (file.endsWith(".npy")) return importNpy(file, opts);
  let contents: Awaited<ReturnType<typeof readSafetensors>>;
  try {
    contents = await readSafetensors(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, "", `cannot read safetensors (${(error as Error).message})`);
  }
  const { tensors, metadata } = contents;
  const layerTensors = [...tensors]
    .map(([name, tensor]) => ({ layer: Number(/^layer\.(\d+)$/.exec(name)?.[1] ?? Number.NaN), tensor }))
    .filter(({ layer }) => Number.isInteger(layer))
    .sort((a, b) => a.layer - b.layer);
  if (layerTensors.length === 0)
    throw new InputError(
      file,
      "tensors",
      `expected tensors named layer.{L}, found ${[...tensors.keys()].join(", ") || "none"}`,
    );

  if (metadata[META_KEY] !== undefined) {
    const meta = parseWithSchema(
      EmotionVectorsMetaSchema,
      parseJson(file, metadata[META_KEY]),
      `${file}: __metadata__.pva`,
    );
    const vectors = new Map<number, Float32Array>();
    for (const layer of meta.layers) {
      const found = layerTensors.find((t) => t.layer === layer);
      const expected = [meta.emotions.length, meta.hiddenSize];
      if (!found || found.tensor.shape.join() !== expected.join())
        throw new InputError(
          file,
          tensorName(layer),
          `expected an F32 tensor of shape [${expected.join(", ")}]`,
        );
      vectors.set(layer, found.tensor.data);
    }
    return { meta, vectors };
  }

  const [first] = layerTensors;
  const [rows, hidden] = first.tensor.shape;
  const fromFile = metadata.emotions !== undefined ? parseJson(file, metadata.emotions) : undefined;
  const emotions = rowEmotions(
    file,
    rows,
    opts.emotions ?? (Array.isArray(fromFile) ? fromFile.map(String) : undefined),
  );
  for (const { layer, tensor } of layerTensors)
    if (tensor.shape.length !== 2 || tensor.shape[0] !== rows || tensor.shape[1] !== hidden)
      throw new InputError(
        file,
        tensorName(layer),
        `expected shape [${rows}, ${hidden}] like ${tensorName(first.layer)}`,
      );
  return imported(
    new Map(layerTensors.map(({ layer, tensor }) => [layer, tensor.data])),
    emotions,
    hidden,
    opts.model ?? file,
  );
}

async function importNpy(file: string, opts: ImportOptions): Promise<EmotionVectors> {
  if (opts.layer === undefined)
    throw new InputError(
      file,
      "",
      "a .npy file holds one layer's vectors: say which layer they were read at",
    );
  const bytes = await readFile(file);
  let array: ReturnType<typeof parseNpy>;
  try {
    array = parseNpy(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  } catch (error) {
    throw new InputError(file, "", `not a readable .npy file (${(error as Error).message})`);
  }
  if (array.shape.length !== 2 || !(array.data instanceof Float32Array || array.data instanceof Float64Array))
    throw new InputError(
      file,
      "",
      `expected a float [emotions, hidden] array, got ${array.dtype} [${array.shape.join(", ")}]`,
    );
  const [rows, hidden] = array.shape;
  let data = Float32Array.from(array.data);
  if (array.fortranOrder) {
    // Column-major on disk: element (r, h) sits at h * rows + r.
    const source = data;
    data = new Float32Array(rows * hidden);
    for (let r = 0; r < rows; r++)
      for (let h = 0; h < hidden; h++) data[r * hidden + h] = source[h * rows + r];
  }
  return imported(
    new Map([[opts.layer, data]]),
    rowEmotions(file, rows, opts.emotions),
    hidden,
    opts.model ?? file,
  );
}

function rowEmotions(file: string, rows: number, given: readonly string[] | undefined): string[] {
  const emotions = given
    ? [...given]
    : rows === emotionCatalog.length
      ? emotionCatalog.map((e) => e.name)
      : null;
  if (!emotions)
    throw new InputError(
      file,
      "",
      `${rows} rows but no emotion names: add "emotions" metadata or pass the names`,
    );
  if (emotions.length !== rows)
    throw new InputError(file, "", `${rows} rows but ${emotions.length} emotion names`);
  return emotions;
}

function imported(
  vectors: Map<number, Float32Array>,
  emotions: string[],
  hidden: number,
  model: string,
): EmotionVectors {
  const clusters = emotions.map((e) => findEmotion(e)?.cluster ?? null);
  const layers = [...vectors.keys()].sort((a, b) => a - b);
  const meta: EmotionVectorsMeta = {
    model,
    modelHash: "unknown",
    emotions,
    layers,
    hiddenSize: hidden,
    corpusHash: "unknown",
    tokenOffset: 0,
    neutralVarianceShare: 0,
    neutralComponentsRemoved: {},
    meanResidNorm: {},
    geometry: Object.fromEntries(
      layers.map((layer) => {
        const matrix = vectors.get(layer)!;
        const rows = emotions.map((_, e) => matrix.subarray(e * hidden, (e + 1) * hidden));
        return [String(layer), vectorGeometry(rows, emotions, clusters)];
      }),
    ),
  };
  return { meta, vectors };
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(file, "__metadata__", "expected JSON");
  }
}
