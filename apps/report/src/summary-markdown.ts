import { type ReportFindings, summarySentences, summaryWarnings } from "./report-findings.js";
import type { ReportSection } from "./report-sections.js";

/**
 * User text (a study name, an activity, an emotion, a model id) safe in Markdown, on one line. Only
 * what a Markdown viewer would read as markup is escaped, so ordinary text stays clean as plain
 * text: emphasis, code, link brackets, strikethrough and backslashes get a backslash; "<" becomes
 * "&lt;" (a backslash would leave "<img" in the file) and "&" only where it would start an entity.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_[\]~]/g, (c) => `\\${c}`)
    .replace(/&(?=#?\w+;)/g, "&amp;")
    .replace(/</g, "&lt;");
}

/**
 * `summary.md`: the key numbers and the PNG charts, to paste into a paper or a pull request. It
 * reads as plain text too: only user text is escaped, and only where it would be markup.
 */
export function summaryMarkdown(title: string, findings: ReportFindings, sections: ReportSection[]): string {
  const lines = [`# ${escapeMarkdown(title)}`, ""];
  for (const warning of summaryWarnings(findings, escapeMarkdown)) lines.push(`> **${warning}**`, "");
  for (const sentence of summarySentences(findings, escapeMarkdown)) lines.push(`- ${sentence}`);
  for (const section of sections) {
    lines.push("", `## ${section.title}`);
    for (const chart of section.charts)
      lines.push("", `![${chart.title}](charts/${chart.id}.png)`, "", chart.caption);
  }
  lines.push("", "The interactive report with tooltips and CSV downloads is `index.html`.", "");
  return lines.join("\n");
}
