import { type ModelSource, PvaError, parseModelSource } from "@pva/core";
import { inspectModel, type QuantizeType } from "@pva/lm";
import { Command } from "commander";
import { examples } from "../help-examples.js";
import { ModelLoader } from "../model-loader.js";
import { ProgressReporter } from "../progress.js";
import { quantizeOption } from "../study-options.js";

async function withModel<T>(
  source: ModelSource,
  quantize: QuantizeType | undefined,
  use: (loader: ModelLoader) => Promise<T>,
): Promise<T> {
  const loader = new ModelLoader(source, new ProgressReporter(), { quantize });
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
function pullable(source: string): ModelSource {
  let parsed: ModelSource | null = null;
  try {
    parsed = parseModelSource(source, process.cwd());
  } catch {
    // a malformed hf: name, said below in the pull's own words
  }
  if (parsed?.kind === "hub") return parsed;
  const why =
    parsed?.kind === "builtin"
      ? "a builtin model is written on first use, no download needed"
      : parsed === null
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
  .addOption(quantizeOption())
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
  .action(async (source: string, opts: { quantize?: QuantizeType }) => {
    await withModel(pullable(source), opts.quantize, async (loader) => {
      const model = await loader.get();
      process.stdout.write(`${model.id} ready (sha256 ${model.hash.slice(0, 12)})\n`);
    });
  });

/** "Q4_K 3.9B, Q6_K 1.1B, F32 0.3M" style: parameters per type, largest first. */
const count = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${(n / 1e3).toFixed(1)}K`;

function typeList(types: Record<string, number>): string {
  return Object.entries(types)
    .sort((a, b) => b[1] - a[1])
    .map(([type, n]) => `${type} ${count(n)}`)
    .join(", ");
}

const info = new Command("info")
  .description(
    "print a model's architecture, parameters, weight types, bytes on disk and the memory loading it needs (reads headers only)",
  )
  .argument("<source>", "hf:org/name[@rev], a local folder, a .gguf file, or builtin:random-tiny")
  .addOption(quantizeOption())
  .option("--json", "print JSON")
  .addHelpText(
    "after",
    examples(
      "pva model info builtin:random-tiny",
      "pva model info ./model.gguf --json",
      "pva model info ./Llama-3.1-8B-Instruct --quantize q8_0",
    ),
  )
  .action(async (source: string, opts: { json?: boolean; quantize?: QuantizeType }) => {
    const model = await inspectModel(source, { quantize: opts.quantize });
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
      storedTypes: footprint.storedTypes,
      bytesOnDisk: model.bytesOnDisk,
      memoryTypes: footprint.memoryTypes,
      memoryNeeded: model.memoryNeeded,
      memoryAvailable: model.memoryAvailable,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);
      return;
    }
    const shown: Record<string, string> = {
      ...Object.fromEntries(
        Object.entries(facts)
          .slice(0, 11)
          .map(([k, v]) => [k, String(v)]),
      ),
      parameters: `${facts.parameters} (${count(facts.parameters)})`,
      weightTypes: typeList(footprint.storedTypes),
      bytesOnDisk: `${facts.bytesOnDisk} (${formatBytes(facts.bytesOnDisk)})`,
      inMemory: typeList(footprint.memoryTypes),
      memoryNeeded: `${facts.memoryNeeded} (${formatBytes(facts.memoryNeeded)}; ${formatBytes(facts.memoryAvailable)} free now)`,
    };
    const width = Math.max(...Object.keys(shown).map((k) => k.length));
    for (const [key, value] of Object.entries(shown))
      process.stdout.write(`${key.padEnd(width)}  ${value}\n`);
    if (model.memoryNeeded > model.memoryAvailable)
      process.stdout.write(
        "(does not fit in free memory now: try a smaller quantization, or --quantize q8_0 for a 16/32-bit model)\n",
      );
    if (model.builtinRandom) process.stdout.write("(random weights: its outputs mean nothing)\n");
  });

export const modelCommand = () =>
  new Command("model").description("fetch and inspect models").addCommand(pull).addCommand(info);
