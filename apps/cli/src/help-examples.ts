/**
 * How the user runs pva: `pva` once installed; in the repository `pnpm pva` (scripts/pva.mjs)
 * sets PVA_COMMAND to the spelling the README uses, so every example and hint can be pasted as is.
 */
export function pvaCommand(): string {
  return process.env.PVA_COMMAND?.trim() || "pva";
}

/** The "Examples:" block under a command's --help, each line spelled as the user runs pva. */
export function examples(...lines: string[]): string {
  const pva = pvaCommand();
  const spelled = lines.map((line) => line.replace(/(^|\s)pva (?=\S)/, `$1${pva} `));
  return `\nExamples:\n${spelled.map((line) => `  $ ${line}`).join("\n")}\n`;
}
