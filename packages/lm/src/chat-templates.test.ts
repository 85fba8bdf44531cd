import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { buildByteLevelBpe, byteLevelTokenizerJson } from "./byte-level-bpe.js";
import { type ChatMessage, createTokenizer, type Tokenizer } from "./tokenizer.js";

/**
 * The chat templates the new architectures' instruction models ship (test-data/chat-templates,
 * sources in SOURCES.md), rendered through @huggingface/jinja as pva renders any model's. The
 * expected strings are worked out by hand from each template's text.
 */

async function withTemplate(file: string, bos: string, eos: string): Promise<Tokenizer> {
  const template = await readFile(new URL(`../test-data/chat-templates/${file}`, import.meta.url), "utf8");
  return createTokenizer({
    tokenizerJson: byteLevelTokenizerJson(buildByteLevelBpe(300)),
    tokenizerConfig: { chat_template: template, bos_token: bos, eos_token: eos },
    source: `test-data/chat-templates/${file}`,
  });
}

const question: ChatMessage[] = [{ role: "user", content: "Pick A or B" }];
const exchange: ChatMessage[] = [
  { role: "user", content: "Pick A or B" },
  { role: "assistant", content: "A" },
  { role: "user", content: "Why?" },
];

describe("chat templates of the supported instruction models", () => {
  it("Gemma 2: turns as user/model, contents trimmed, no system role", async () => {
    const t = await withTemplate("gemma-2-2b-it.jinja", "<bos>", "<eos>");
    expect(
      t.applyChatTemplate([{ role: "user", content: "  Pick A or B \n" }], { addGenerationPrompt: true }),
    ).toBe("<bos><start_of_turn>user\nPick A or B<end_of_turn>\n<start_of_turn>model\n");
    expect(t.applyChatTemplate(exchange)).toBe(
      "<bos><start_of_turn>user\nPick A or B<end_of_turn>\n<start_of_turn>model\nA<end_of_turn>\n<start_of_turn>user\nWhy?<end_of_turn>\n",
    );
    expect(() => t.applyChatTemplate([{ role: "system", content: "Be brief." }, ...question])).toThrow(
      /gemma-2-2b-it.jinja: chat template: System role not supported/,
    );
  });

  it("Gemma 3: a system message becomes the first user turn's prefix", async () => {
    const t = await withTemplate("gemma-3-1b-it.jinja", "<bos>", "<eos>");
    expect(t.applyChatTemplate(question, { addGenerationPrompt: true })).toBe(
      "<bos><start_of_turn>user\nPick A or B<end_of_turn>\n<start_of_turn>model\n",
    );
    expect(
      t.applyChatTemplate([{ role: "system", content: "Be brief." }, ...question], {
        addGenerationPrompt: true,
      }),
    ).toBe("<bos><start_of_turn>user\nBe brief.\n\nPick A or B<end_of_turn>\n<start_of_turn>model\n");
  });

  it("Qwen3: ChatML, and earlier assistant turns lose their <think> block", async () => {
    const t = await withTemplate("qwen3-0.6b.jinja", "", "<|im_end|>");
    expect(t.applyChatTemplate(question, { addGenerationPrompt: true })).toBe(
      "<|im_start|>user\nPick A or B<|im_end|>\n<|im_start|>assistant\n",
    );
    const thought: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      exchange[0],
      { role: "assistant", content: "<think>\nA is shorter.\n</think>\n\nA" },
      exchange[2],
    ];
    expect(t.applyChatTemplate(thought, { addGenerationPrompt: true })).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nPick A or B<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n<|im_start|>user\nWhy?<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("Mistral (Nemo): [INST] turns, the system message joined to the last user turn", async () => {
    const t = await withTemplate("mistral-nemo-instruct-2407.jinja", "<s>", "</s>");
    expect(t.applyChatTemplate(question, { addGenerationPrompt: true })).toBe("<s>[INST]Pick A or B[/INST]");
    expect(t.applyChatTemplate([{ role: "system", content: "Be brief." }, ...exchange])).toBe(
      "<s>[INST]Pick A or B[/INST]A</s>[INST]Be brief.\n\nWhy?[/INST]",
    );
  });

  it("Phi-3.5: <|user|> / <|assistant|> turns, ending in EOS unless a reply is asked for", async () => {
    const t = await withTemplate("phi-3.5-mini-instruct.jinja", "<s>", "<|endoftext|>");
    expect(t.applyChatTemplate(question, { addGenerationPrompt: true })).toBe(
      "<|user|>\nPick A or B<|end|>\n<|assistant|>\n",
    );
    expect(t.applyChatTemplate([{ role: "system", content: "Be brief." }, ...exchange])).toBe(
      "<|system|>\nBe brief.<|end|>\n<|user|>\nPick A or B<|end|>\n<|assistant|>\nA<|end|>\n<|user|>\nWhy?<|end|>\n<|endoftext|>",
    );
  });
});
