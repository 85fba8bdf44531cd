import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { buildByteLevelBpe, byteLevelTokenizerJson } from "./byte-level-bpe.js";
import { chatUserPrompt } from "./chat-prompt.js";
import { createTokenizer } from "./tokenizer.js";

const tokenizerJson = byteLevelTokenizerJson(buildByteLevelBpe(300));

describe("chatUserPrompt", () => {
  it("renders one user turn and opens the assistant's (Qwen3's ChatML, worked out by hand)", async () => {
    const template = await readFile(
      new URL("../test-data/chat-templates/qwen3-0.6b.jinja", import.meta.url),
      "utf8",
    );
    const tokenizer = createTokenizer({
      tokenizerJson,
      tokenizerConfig: { chat_template: template, bos_token: "", eos_token: "<|im_end|>" },
      source: "qwen3-0.6b.jinja",
    });
    expect(chatUserPrompt(tokenizer, "Would you prefer to (A) nap or (B) run?")).toBe(
      "<|im_start|>user\nWould you prefer to (A) nap or (B) run?<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("refuses a model without a chat template, naming the tokenizer", () => {
    const tokenizer = createTokenizer({ tokenizerJson, tokenizerConfig: {}, source: "plain-tokenizer" });
    expect(() => chatUserPrompt(tokenizer, "Hello")).toThrow(
      /plain-tokenizer: the model has no chat template/,
    );
  });
});
