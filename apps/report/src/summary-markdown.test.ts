import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "./summary-markdown.js";

describe("escapeMarkdown", () => {
  it("keeps markup, links and emphasis from user text as plain characters on one line", () => {
    expect(
      escapeMarkdown("<img src=x onerror=alert(1)> &amp; [click](javascript:x) *bold* ~~x~~ `c`\nnext"),
    ).toBe(
      "&lt;img src=x onerror=alert(1)> &amp;amp; \\[click\\](javascript:x) \\*bold\\* \\~\\~x\\~\\~ \\`c\\` next",
    );
  });

  it("leaves ordinary text as it is, so it reads clean as plain text", () => {
    const text = "help a family plan their budget (Q&A, 2-3 pages) | r > 0.3 #1";
    expect(escapeMarkdown(text)).toBe(text);
  });
});
