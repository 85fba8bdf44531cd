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

const pull = new Command("pull")
  .description("download a hub model into the cache (resumes an interrupted download) and check it loads")
  .argument("<source>", "hf:org/name[@rev], a local folder, a .gguf file, or builtin:random-tiny")
  .addHelpText(
    "after",
    examples(
      "pva model pull hf:HuggingFaceTB/SmolLM2-360M-Instruct",
      "HF_ENDPOINT=https://hf-mirror.example pva model pull hf:Qwen/Qwen2.5-0.5B-Instruct@main",
    ),
  )
  .action(async (source: string) => {
    await withModel(source, async (loader) => {
      const model = await loader.get();
      process.stdout.write(`${model.id} ready (sha256 ${model.hash.slice(0, 12)})\n`);
    });
  });

const info = new Command("info")
  .description("print a model's architecture, size and hash")
  .argument("<source>", "hf:org/name[@rev], a local folder, a .gguf file, or builtin:random-tiny")
  .option("--json", "print JSON")
  .addHelpText("after", examples("pva model info builtin:random-tiny", "pva model info ./model.gguf --json"))
  .action(async (source: string, opts: { json?: boolean }) => {
    await withModel(source, async (loader) => {
      const model = await loader.get();
      const { config } = model;
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
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);
        return;
      }
      const width = Math.max(...Object.keys(facts).map((k) => k.length));
      for (const [key, value] of Object.entries(facts))
        process.stdout.write(`${key.padEnd(width)}  ${String(value)}\n`);
      if (model.builtinRandom) process.stdout.write("(random weights: its outputs mean nothing)\n");
    });
  });

export const modelCommand = () =>
  new Command("model").description("fetch and inspect models").addCommand(pull).addCommand(info);
