import { PvaError } from "@pva/core";
import { Command } from "commander";
import { examples } from "../help-examples.js";
import { ModelLoader } from "../model-loader.js";
import { ProgressReporter } from "../progress.js";

async function withModel<T>(source: string, use: (loader: ModelLoader) => Promise<T>): Promise<T> {
  const loader = new ModelLoader(source, new ProgressReporter());
  try {
    return await use(loader);
  } finally {
    await loader.dispose();
  }
}

/** Bytes as a person reads them: "1.4 MB", "724 MB", "16.1 GB" (powers of 1000, as disks count). */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${bytes} bytes`;
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** Only hub models are pulled: a local folder or file is used where it is, a builtin is made on first use. */
function pullable(source: string): string {
  if (/^hf:[^/\s@]+\/[^/\s@]+(@\S+)?$/.test(source)) return source;
  const why = source.startsWith("builtin:")
    ? "a builtin model is written on first use, no download needed"
    : source.startsWith("hf:")
      ? "expected hf:org/name or hf:org/name@revision"
      : "a local folder or .gguf file is used where it is, no download needed";
  throw new PvaError(
    `model pull: ${source}: only hub models (hf:org/name[@rev]) can be pulled; ${why}`,
    "E_USAGE",
  );
}

const pull = new Command("pull")
  .description("download a hub model into the cache (resumes an interrupted download) and check it loads")
  .argument("<source>", "hf:org/name or hf:org/name@revision (a Hugging Face Hub model)")
  .addHelpText(
    "after",
    examples(
      "pva model pull hf:HuggingFaceTB/SmolLM2-360M-Instruct",
      "pva model pull hf:Qwen/Qwen2.5-0.5B-Instruct@main",
    ),
  )
  .addHelpText(
    "after",
    "\nA mirror: set HF_ENDPOINT (e.g. HF_ENDPOINT=https://hf-mirror.example) before the command.\n",
  )
  .action(async (source: string) => {
    await withModel(pullable(source), async (loader) => {
      const model = await loader.get();
      process.stdout.write(`${model.id} ready (sha256 ${model.hash.slice(0, 12)})\n`);
    });
  });

const info = new Command("info")
  .description(
    "print a model's architecture, shape, size on disk, parameters, memory for its weights, and hash",
  )
  .argument("<source>", "hf:org/name[@rev], a local folder, a .gguf file, or builtin:random-tiny")
  .option("--json", "print JSON (sizes in bytes)")
  .addHelpText("after", examples("pva model info builtin:random-tiny", "pva model info ./model.gguf --json"))
  .action(async (source: string, opts: { json?: boolean }) => {
    await withModel(source, async (loader) => {
      const model = await loader.get();
      const { config, footprint } = model;
      const facts = {
        id: model.id,
        hash: model.hash,
        builtinRandom: model.builtinRandom,
        architecture: config.architecture,
        numLayers: config.numLayers,
        hiddenSize: config.hiddenSize,
        numHeads: config.numHeads,
        numKvHeads: config.numKvHeads,
        intermediateSize: config.intermediateSize,
        vocabSize: config.vocabSize,
        maxPositions: config.maxPositions,
        parameters: footprint.parameters,
        diskBytes: footprint.diskBytes,
        weightBytes: footprint.weightBytes,
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);
        return;
      }
      const { parameters, diskBytes, weightBytes, ...shape } = facts;
      const rows: [string, string][] = [
        ...Object.entries(shape).map(([key, value]): [string, string] => [key, String(value)]),
        ["parameters", parameters.toLocaleString("en-US")],
        ["size on disk", formatBytes(diskBytes)],
        [
          "weights in memory",
          `${formatBytes(weightBytes)} (plus the KV cache and activations while it runs)`,
        ],
      ];
      const width = Math.max(...rows.map(([key]) => key.length));
      for (const [key, value] of rows) process.stdout.write(`${key.padEnd(width)}  ${value}\n`);
      if (model.builtinRandom) process.stdout.write("(random weights: its outputs mean nothing)\n");
    });
  });

export const modelCommand = () =>
  new Command("model").description("fetch and inspect models").addCommand(pull).addCommand(info);
