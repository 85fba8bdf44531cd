import Anthropic from "@anthropic-ai/sdk";
import { type Activity, apiModelId, createRng, DEFAULT_CHOICE_QUESTION, PvaError } from "@pva/core";
import { sampledAnswer } from "../answer-parser.js";
import { ANSWER_PREFILL, choiceQuestion } from "../prompts.js";
import type { ChoiceAnswer, ChoiceBackend, ChoiceRequest } from "./choice-backend.js";
import {
  ConnectionFailure,
  DEFAULT_RETRY_POLICY,
  MalformedResponseError,
  type RetryPolicy,
  withRetries,
} from "./retry-policy.js";

export interface AnthropicBackendOptions {
  model: string;
  /** Another host speaking the Messages API (a proxy, or a test server). */
  baseURL?: string;
  question?: string;
  /** Environment variable holding the API key; it is read here and never written anywhere. */
  apiKeyEnv?: string;
  maxTokens?: number;
  /** Prefill the assistant turn with "(" (default true); turn off for models that refuse prefills. */
  prefill?: boolean;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

/**
 * Anthropic's Messages API: no logprobs, so K sampled answers per ordered pair, each classified
 * by the answer parser. The assistant turn is prefilled with "(" so the reply starts with the label.
 * The Messages API this SDK speaks takes no temperature: samples use the model's default.
 */
export function createAnthropicBackend(opts: AnthropicBackendOptions): ChoiceBackend {
  const keyName = opts.apiKeyEnv ?? "ANTHROPIC_API_KEY";
  const apiKey = process.env[keyName];
  if (!apiKey) throw new PvaError(`anthropic backend: set ${keyName} in the environment`, "E_CONFIG");
  const question = opts.question ?? DEFAULT_CHOICE_QUESTION;
  const prefill = opts.prefill ?? true;
  const maxTokens = opts.maxTokens ?? 16;
  const policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const client = new Anthropic({
    apiKey,
    maxRetries: 0,
    timeout: opts.timeoutMs ?? 60_000,
    ...(opts.baseURL ? { baseURL: opts.baseURL } : {}),
  });
  const jitter = createRng("anthropic-retry-jitter");
  const messagesFor = (a: Activity, b: Activity) => [
    { role: "user" as const, content: choiceQuestion(a, b, question).text },
    ...(prefill ? [{ role: "assistant" as const, content: ANSWER_PREFILL }] : []),
  ];

  return {
    id: apiModelId("anthropic", opts.model),
    capabilities: { logits: false, logprobs: false, samples: true, steering: false },
    readout: "samples",
    prompt: (a, b) => JSON.stringify(messagesFor(a, b)),
    readoutParams: () => ({ maxTokens }),
    async answer(request: ChoiceRequest): Promise<ChoiceAnswer> {
      if (request.readout !== "samples") {
        throw new PvaError(
          `anthropic backend: only "samples" readout is available, not "${request.readout}"`,
          "E_CONFIG",
        );
      }
      const { value, attempts } = await withRetries(
        async () => {
          const response = await client.messages
            .create({ model: opts.model, max_tokens: maxTokens, messages: messagesFor(request.a, request.b) })
            .catch((error: unknown) => {
              if (error instanceof Anthropic.APIConnectionError) {
                throw new ConnectionFailure(error.message, { cause: error });
              }
              throw error;
            });
          if (!Array.isArray(response.content)) throw new MalformedResponseError("message without content");
          return response.content.map((block) => (block.type === "text" ? block.text : "")).join("");
        },
        policy,
        jitter,
      );
      return { ...sampledAnswer(value, prefill), attempts };
    },
  };
}
