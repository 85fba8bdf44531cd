import type { Tokenizer } from "./tokenizer.js";

/**
 * One user message in the model's own chat template, ending where the assistant's reply begins
 * (the generation prompt). Every prompt pva puts through a chat template is this one turn (prefs'
 * chat choice prompt, `pva stories generate`), so it is built here once and a model's turn markers
 * are the same wherever it is asked. Throws like applyChatTemplate: E_NO_CHAT_TEMPLATE when the
 * model has none, E_CHAT_TEMPLATE when its template fails or refuses the message.
 */
export function chatUserPrompt(tokenizer: Pick<Tokenizer, "applyChatTemplate">, content: string): string {
  return tokenizer.applyChatTemplate([{ role: "user", content }], { addGenerationPrompt: true });
}
