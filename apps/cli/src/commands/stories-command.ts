import {
  contentHash,
  type Emotion,
  emotionCatalog,
  findEmotion,
  PvaError,
  parseModelSource,
  writeFileAtomic,
} from "@pva/core";
import { chatUserPrompt, type Model } from "@pva/lm";
import { generateStories, loadCorpus, storyTopics } from "@pva/stimuli";
import { Command } from "commander";
import { examples } from "../help-examples.js";
import { withInterruptSignal } from "../interrupt.js";
import { ModelLoader } from "../model-loader.js";
import { ProgressReporter } from "../progress.js";
import { integerOption } from "../study-options.js";

interface GenerateOptions {
  model: string;
  emotions: string;
  perEmotion: number;
  out: string;
  seed: number;
  maxNewTokens: number;
  temperature: number;
}

function parseEmotions(list: string): Emotion[] {
  if (list === "all") return [...emotionCatalog];
  return list.split(",").map((name) => {
    const emotion = findEmotion(name.trim());
    if (!emotion)
      throw new PvaError(
        `--emotions: "${name.trim()}" is not in the 171-word catalog (e.g. "blissful", "at ease")`,
        "E_ARG",
      );
    return emotion;
  });
}

/** The model's own chat format when it has one (instruct models write better stories in it). */
function storyPromptTokens(model: Model, prompt: string): number[] {
  try {
    return model.tokenizer.encode(chatUserPrompt(model.tokenizer, prompt), { addSpecialTokens: false });
  } catch {
    return model.tokenizer.encode(prompt);
  }
}

const generate = new Command("generate")
  .description(
    "have a model write emotion stories (the emotion word never named), checked like the shipped corpus; resumable",
  )
  .requiredOption(
    "--model <source>",
    "hf:org/name[@rev], a local folder, a .gguf file, or builtin:random-tiny",
  )
  .requiredOption("--emotions <list>", 'comma-separated emotion names, or "all"')
  .option(
    "--per-emotion <n>",
    `stories per emotion (at most ${storyTopics.length}, one per topic)`,
    integerOption("--per-emotion", 1),
    6,
  )
  .option(
    "--out <file>",
    "stories JSONL to write (attempts are kept beside it for resuming)",
    "stories.jsonl",
  )
  .option("--seed <n>", "seed of topic order and sampling", integerOption("--seed", 0), 1234)
  .option("--max-new-tokens <n>", "length limit of one story", integerOption("--max-new-tokens", 1), 220)
  .option("--temperature <t>", "sampling temperature", Number, 0.8)
  .addHelpText(
    "after",
    examples(
      'pva stories generate --model hf:HuggingFaceTB/SmolLM2-360M-Instruct --emotions "blissful,hostile" --per-emotion 6',
      "pva stories generate --model ./qwen2.5-7b-instruct.gguf --emotions all --per-emotion 12 --out my-stories.jsonl",
    ),
  )
  .addHelpText("after", '\nThen point a study\'s "vectors": { "corpus": ... } at my-stories.jsonl.\n')
  .action(async (opts: GenerateOptions) => {
    const emotions = parseEmotions(opts.emotions);
    if (opts.perEmotion > storyTopics.length)
      throw new PvaError(`--per-emotion: at most ${storyTopics.length} (one story per topic)`, "E_ARG");
    await withInterruptSignal(
      (line) => process.stderr.write(`${line}\n`),
      async (signal) => {
        const progress = new ProgressReporter();
        const loader = new ModelLoader(parseModelSource(opts.model, process.cwd()), progress);
        try {
          const model = await loader.get();
          const { relatives } = await loadCorpus();
          const bar = progress.stage("stories", "stories");
          const stories = await generateStories({
            model: model.id,
            emotions,
            perEmotion: opts.perEmotion,
            relatives,
            storeFile: `${opts.out}.attempts.jsonl`,
            seed: opts.seed,
            signal,
            onProgress: ({ done, total, rejected }) => bar.update(done, total, rejected),
            write: async (prompt, attempt) => {
              const out = await model.generate(storyPromptTokens(model, prompt), {
                maxNewTokens: opts.maxNewTokens,
                temperature: opts.temperature,
                seed: Number.parseInt(contentHash({ seed: opts.seed, prompt, attempt }).slice(0, 8), 16),
              });
              return out.text;
            },
          });
          bar.finish("rejected ones count as failed");
          await writeFileAtomic(opts.out, stories.map((s) => `${JSON.stringify(s)}\n`).join(""));
          process.stdout.write(`${opts.out}: ${stories.length} stories\n`);
        } finally {
          await loader.dispose();
        }
      },
    );
  });

export const storiesCommand = () =>
  new Command("stories").description("the story corpus emotion vectors are read from").addCommand(generate);
