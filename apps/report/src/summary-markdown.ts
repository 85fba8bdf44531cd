import type { ReportFindings } from "./report-findings.js";
import type { ReportSection } from "./report-sections.js";

/** Text safe in Markdown: HTML and Markdown syntax characters are escaped, newlines flattened. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/** `summary.md`: the key numbers and the PNG charts, to paste into a paper or a pull request. */
export function summaryMarkdown(
  title: string,
  findings: ReportFindings,
  sentences: string[],
  sections: ReportSection[],
): string {
  const lines = [`# ${escapeMarkdown(title)}`, ""];
  if (findings.builtinRandom)
    lines.push(
      `> **WARNING: builtin random model (${escapeMarkdown(findings.model)}). These numbers are noise.**`,
      "",
    );
  for (const sentence of sentences) lines.push(`- ${escapeMarkdown(sentence)}`);
  for (const section of sections) {
    lines.push("", `## ${escapeMarkdown(section.title)}`);
    for (const chart of section.charts)
      lines.push(
        "",
        `![${escapeMarkdown(chart.title)}](charts/${chart.id}.png)`,
        "",
        escapeMarkdown(chart.caption),
      );
  }
  lines.push("", "The interactive report with tooltips and CSV downloads is `index.html`.", "");
  return lines.join("\n");
}
