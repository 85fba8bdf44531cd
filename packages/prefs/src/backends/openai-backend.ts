import { type Activity, createRng, PvaError } from "@pva/core";
import OpenAI from "openai";
import { sampledAnswer } from "../answer-parser.js";
import { labelOfToken, readLabels } from "../label-readout.js";
import { choiceQuestion, DEFAULT_QUESTION, type PromptTemplate, rawPrompt } from "../prompts.js";
import type { ChoiceAnswer, ChoiceBackend, ChoiceRequest } from "./choice-backend.js";
import {
  ConnectionFailure,
  DEFAULT_RETRY_POLICY,
  MalformedResponseError,
  type RetryPolicy,
  withRetries,
} from "./retry-policy.js";

/** Answer tokens read in chat logprobs mode, to get past an opening "(" or "**". */
const CHAT_LABEL_WINDOW = 3;

export interface OpenAIBackendOptions {
  /** Base URLs (e.g. http://gpu-3:8000/v1); requests, and each retry, go round-robin over them. */
  endpoints: string[];
  /** Model name sent to the server. */
  model: string;
  readout: "logprobs" | "samples";
  /** "raw": the study's text prompt on /completions; "chat": the question as a user turn on /chat/completions. */
  template?: PromptTemplate;
  question?: string;
  /** Environment variable holding the API key (never written anywhere); local servers need none. */
  apiKeyEnv?: string;
  /** How many alternatives to ask for per position (vLLM allows 20, OpenAI's chat API 20, its completions 5). */
  topLogprobs?: number;
  temperature?: number;
  maxTokens?: number;
  /** Per request. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

/**
 * An OpenAI-compatible server (vLLM, llama.cpp server, Ollama, OpenAI) through the official SDK.
 * logprobs: the first answer token's top alternatives, renormalised over the labels; samples: the
 * text, classified by the answer parser. The SDK's own retries are off so that every retry goes
 * through one policy (Retry-After, jitter, a bounded total) and moves to the next endpoint.
 */
export function createOpenAIBackend(opts: OpenAIBackendOptions): ChoiceBackend {
  if (opts.endpoints.length === 0)
    throw new PvaError("openai backend: give at least one endpoint URL", "E_CONFIG");
  const template = opts.template ?? "raw";
  const question = opts.question ?? DEFAULT_QUESTION;
  const topLogprobs = opts.topLogprobs ?? 20;
  const temperature = opts.temperature ?? 1;
  const maxTokens = opts.maxTokens ?? 16;
  const policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const apiKey = process.env[opts.apiKeyEnv ?? "OPENAI_API_KEY"] ?? "no-key";
  const clients = opts.endpoints.map(
    (baseURL) => new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: opts.timeoutMs ?? 60_000 }),
  );
  let nextClient = 0;
  const jitter = createRng("openai-retry-jitter");

  const messagesFor = (a: Activity, b: Activity) => [
    { role: "user" as const, content: choiceQuestion(a, b, question).text },
  ];

  const backend: ChoiceBackend = {
    id: `openai:${opts.model}`,
    capabilities: { logits: false, logprobs: true, samples: true, steering: false },
    readout: opts.readout,
    prompt(a, b) {
      return template === "raw" ? rawPrompt(a, b, question).text : JSON.stringify(messagesFor(a, b));
    },
    readoutParams(readout): Record<string, string | number> {
      if (readout === "logprobs") {
        return {
          template,
          topLogprobs,
          temperature: 0,
          maxTokens: template === "chat" ? CHAT_LABEL_WINDOW : 1,
        };
      }
      return { template, temperature, maxTokens };
    },
    async answer(request: ChoiceRequest): Promise<ChoiceAnswer> {
      if (request.readout === "logits") {
        throw new PvaError(
          "openai backend: logits are not available over HTTP; use logprobs or samples",
          "E_CONFIG",
        );
      }
      const sampleSeed = request.seed * 1000 + request.sampleIndex;
      const { value, attempts } = await withRetries(
        async () => {
          const client = clients[nextClient++ % clients.length];
          try {
            return await ask(client, request, sampleSeed);
          } catch (error) {
            // timeouts and resets arrive as the SDK's connection errors, whatever their cause
            if (error instanceof OpenAI.APIConnectionError)
              throw new ConnectionFailure(error.message, { cause: error });
            throw error;
          }
        },
        policy,
        jitter,
      );
      return { ...value, attempts };
    },
  };

  async function ask(
    client: OpenAI,
    request: ChoiceRequest,
    seed: number,
  ): Promise<Omit<ChoiceAnswer, "attempts">> {
    const { a, b } = request;
    const logprobs = request.readout === "logprobs";
    if (template === "raw") {
      const response = await client.completions.create({
        model: opts.model,
        prompt: rawPrompt(a, b, question).text,
        max_tokens: logprobs ? 1 : maxTokens,
        temperature: logprobs ? 0 : temperature,
        ...(logprobs ? { logprobs: topLogprobs } : { seed }),
      });
      const choice = response.choices?.[0];
      if (!choice) throw new MalformedResponseError("completion without choices");
      if (!logprobs) return sampled(choice.text);
      const top = choice.logprobs?.top_logprobs?.[0];
      if (!top) throw new MalformedResponseError("completion without logprobs.top_logprobs");
      return fromLogprobs(Object.entries(top).map(([token, logprob]) => ({ token, logprob })));
    }
    const response = await client.chat.completions.create({
      model: opts.model,
      messages: messagesFor(a, b),
      // a chat model may open with "(" or "**" before the label, so a few tokens are read
      max_tokens: logprobs ? CHAT_LABEL_WINDOW : maxTokens,
      temperature: logprobs ? 0 : temperature,
      ...(logprobs ? { logprobs: true, top_logprobs: topLogprobs } : { seed }),
    });
    const choice = response.choices?.[0];
    if (!choice) throw new MalformedResponseError("chat completion without choices");
    if (!logprobs) return sampled(choice.message?.content ?? "");
    const positions = choice.logprobs?.content;
    if (!positions?.[0]?.top_logprobs) {
      throw new MalformedResponseError("chat completion without logprobs.content[0].top_logprobs");
    }
    // read the distribution where the model emitted its label (greedy), else at the first token
    const at = positions.find((position) => labelOfToken(position.token) !== null) ?? positions[0];
    return fromLogprobs(at.top_logprobs);
  }

  return backend;
}

function sampled(text: string | undefined | null): Omit<ChoiceAnswer, "attempts"> {
  if (typeof text !== "string") throw new MalformedResponseError("answer without text");
  return sampledAnswer(text, true);
}

function fromLogprobs(top: readonly { token: string; logprob: number }[]): Omit<ChoiceAnswer, "attempts"> {
  const readout = readLabels(top.map(({ token, logprob }) => ({ token, probability: Math.exp(logprob) })));
  const best = top.reduce((x, y) => (y.logprob > x.logprob ? y : x), top[0] ?? { token: "", logprob: 0 });
  if (readout === null) {
    // neither label among the top alternatives: the model is not answering the question
    return { pA: null, pB: null, offLabelMass: 1, rawAnswer: best.token, choice: "unparseable" };
  }
  return {
    pA: readout.pA,
    pB: readout.pB,
    offLabelMass: readout.offLabelMass,
    rawAnswer: readout.topToken,
    choice: readout.pA >= readout.pB ? "A" : "B",
  };
}
