import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "./summary-markdown.js";

describe("escapeMarkdown", () => {
  it("keeps markup, links and emphasis from user text as plain characters on one line", () => {
    expect(escapeMarkdown("<img src=x onerror=alert(1)> & [click](javascript:x) *bold* |a|\nnext")).toBe(
      "&lt;img src=x onerror=alert(1)&gt; &amp; \\[click\\](javascript:x) \\*bold\\* \\|a\\| next",
    );
  });

  it("leaves numbers and intervals readable", () => {
    expect(escapeMarkdown("r = -0.56, CI [-0.71, -0.42]")).toBe("r = -0.56, CI \\[-0.71, -0.42\\]");
  });
});
