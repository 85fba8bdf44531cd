import { describe, expect, it } from "vitest";
import { buildByteLevelBpe, byteLevelTokenizerConfig, byteLevelTokenizerJson } from "./byte-level-bpe.js";
import { createTokenizer } from "./tokenizer.js";

const tokenizer = createTokenizer({
  tokenizerJson: byteLevelTokenizerJson(buildByteLevelBpe(2000)),
  tokenizerConfig: byteLevelTokenizerConfig(),
  source: "test/tokenizer.json",
});

describe("byte-level BPE vocabulary", () => {
  it("reaches exactly the requested size with unique tokens (49152 for random-135m)", () => {
    const { tokens, merges } = buildByteLevelBpe(49152);
    expect(tokens.length).toBe(49152);
    expect(new Set(tokens).size).toBe(49152);
    expect(merges.length).toBe(49152 - 259);
  });
});

describe("tokenizer", () => {
  it("round-trips text, including spaces before punctuation and non-ASCII", () => {
    const text = "Hello , world ! Ça va? 🙂 tabs\tand\nnewlines";
    const ids = tokenizer.encode(text);
    expect(tokenizer.decode(ids)).toBe(text);
    // Merges make English shorter than its bytes.
    expect(tokenizer.encode("the weather is nice").length).toBeLessThan("the weather is nice".length);
  });

  it("gives each token its character span, so a phrase's tokens can be found", () => {
    const text = "Option A: café ☕ time. Option B: write code";
    const { ids, offsets } = tokenizer.encodeWithOffsets(text);
    expect(offsets.length).toBe(ids.length);
    expect(offsets[0][0]).toBe(0);
    expect(offsets.at(-1)![1]).toBe(text.length);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i][0]).toBe(offsets[i - 1][1]);
    // Each span decodes to its own text when it holds whole characters.
    ids.forEach((id, i) => {
      const piece = tokenizer.decode([id]);
      if (!piece.includes("\uFFFD")) expect(text.slice(offsets[i][0], offsets[i][1])).toBe(piece);
    });
    const start = text.indexOf("write code");
    const covering = offsets.filter(([s, e]) => e > start && s < start + "write code".length);
    expect(covering.map(([s, e]) => text.slice(s, e)).join("")).toBe(" write code");
  });

  it("treats special tokens in the text as single tokens with their own spans", () => {
    const text = "<|im_start|>user\nhi<|im_end|>";
    const { ids, offsets } = tokenizer.encodeWithOffsets(text);
    expect(ids[0]).toBe(tokenizer.tokenToId("<|im_start|>"));
    expect(offsets[0]).toEqual([0, 12]);
    expect(ids.at(-1)).toBe(2);
    expect(tokenizer.eosId).toBe(2);
    expect(tokenizer.bosId).toBe(0);
  });

  it("renders the chat template, and says so when a model has none", () => {
    expect(
      tokenizer.applyChatTemplate([{ role: "user", content: "Pick A or B" }], { addGenerationPrompt: true }),
    ).toBe("<|im_start|>user\nPick A or B<|im_end|>\n<|im_start|>assistant\n");
    const bare = createTokenizer({
      tokenizerJson: byteLevelTokenizerJson(buildByteLevelBpe(300)),
      tokenizerConfig: {},
      source: "bare/tokenizer.json",
    });
    expect(() => bare.applyChatTemplate([{ role: "user", content: "x" }])).toThrow(
      /bare\/tokenizer.json: the model has no chat template/,
    );
  });
});
