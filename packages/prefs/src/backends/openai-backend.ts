import {
  type Activity,
  apiModelId,
  createRng,
  DEFAULT_CHOICE_QUESTION,
  PvaError,
  redactUrl,
} from "@pva/core";
import OpenAI from "openai";
import { sampledAnswer } from "../answer-parser.js";
import { labelOfToken, readLabels } from "../label-readout.js";
import { choiceQuestion, type PromptTemplate, rawPrompt } from "../prompts.js";
import type { ChoiceAnswer, ChoiceBackend, ChoiceRequest } from "./choice-backend.js";
import {
  ConnectionFailure,
  DEFAULT_RETRY_POLICY,
  isRejection,
  MalformedResponseError,
  RequestFailedError,
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
  /** Per attempt: an attempt with no answer by then is abandoned (and retried). Default 30 s, ample for one short completion. */
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
  const question = opts.question ?? DEFAULT_CHOICE_QUESTION;
  const topLogprobs = opts.topLogprobs ?? 20;
  const temperature = opts.temperature ?? 1;
  const maxTokens = opts.maxTokens ?? 16;
  const policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const apiKey = process.env[opts.apiKeyEnv ?? "OPENAI_API_KEY"] ?? "no-key";
  const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const clients = opts.endpoints.map(
    (baseURL) => new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: timeoutMs }),
  );
  const health = new EndpointHealth(opts.endpoints);
  let nextClient = 0;
  const jitter = createRng("openai-retry-jitter");

  const messagesFor = (a: Activity, b: Activity) => [
    { role: "user" as const, content: choiceQuestion(a, b, question).text },
  ];

  const backend: ChoiceBackend = {
    id: apiModelId("openai", opts.model),
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
      // Whether every attempt of this request was abandoned at the timeout (no response at all).
      let onlyTimeouts = true;
      const retried = withRetries(
        async () => {
          health.throwIfStuck();
          const index = nextClient++ % clients.length;
          const url = redactUrl(opts.endpoints[index]);
          try {
            const value = await ask(clients[index], request, sampleSeed);
            health.answered(index);
            return value;
          } catch (error) {
            if (!(error instanceof OpenAI.APIConnectionTimeoutError)) onlyTimeouts = false;
            if (error instanceof ProtocolBreach)
              throw new PvaError(
                `${url}: the server broke the OpenAI protocol: ${error.message}; its answers cannot be used (a server bug, not pva's)`,
                "E_SERVER_PROTOCOL",
              );
            if (isRejection(error))
              throw new PvaError(
                `${url}: the server rejected the request (${describeRejection(error, opts.model)}); every request would be, so the run stops`,
                "E_REQUEST_REJECTED",
              );
            // timeouts and resets arrive as the SDK's connection errors, whatever their cause
            if (error instanceof OpenAI.APIConnectionError) {
              // Never answered and cannot be reached (refused, no such host, a hang past the
              // timeout): once every endpoint is like that, stop now rather than retry for hours.
              health.failed(index, error);
              throw new ConnectionFailure(`${url}: ${rootCause(error)}`, { cause: error });
            }
            throw error;
          }
        },
        policy,
        jitter,
      );
      const { value, attempts } = await retried.catch((error: unknown) => {
        // A request that spent its whole retry budget waiting on endpoints that never answered
        // once: the server accepts connections but does not work, and every other request would
        // wait as long (hours for a study). The budget makes this independent of load: a slow but
        // working server answers one of the attempts.
        if (error instanceof RequestFailedError && onlyTimeouts) health.stuckAfter(error.attempts, timeoutMs);
        throw error;
      });
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
  // A log-probability is finite and <= 0; anything else (1e999 parses as Infinity) is the server's bug.
  for (const { token, logprob } of top)
    if (typeof logprob !== "number" || !Number.isFinite(logprob) || logprob > LOGPROB_TOLERANCE)
      throw new ProtocolBreach(
        `logprob ${String(logprob)} for token ${JSON.stringify(token)} (log-probabilities are finite and <= 0)`,
      );
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

/** Default per-attempt timeout: one short completion (1 to 16 tokens) answers in seconds. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Rounding on the server may give log 1 as a hair above 0; more than this is not a probability. */
const LOGPROB_TOLERANCE = 1e-6;

/** An answer that arrived but breaks the protocol (no retry gives a better one). */
class ProtocolBreach extends Error {}

/** The innermost cause of an SDK connection error: "connect ECONNREFUSED ...", "getaddrinfo ENOTFOUND h". */
function innermost(error: Error): Error & { code?: unknown } {
  let inner: Error = error;
  while (inner.cause instanceof Error) inner = inner.cause;
  return inner;
}

function rootCause(error: Error): string {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return "no answer before the timeout";
  return innermost(error).message.split("\n")[0];
}

/** Failures to connect at all: nothing listens there, no such host, a port fetch refuses. */
const CANNOT_CONNECT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

function cannotConnect(error: Error): boolean {
  const inner = innermost(error);
  return (typeof inner.code === "string" && CANNOT_CONNECT.has(inner.code)) || inner.message === "bad port";
}

function describeRejection(error: unknown, model: string): string {
  const status = (error as { status?: number }).status;
  if (status === 401) return "401 unauthorized: set the key in OPENAI_API_KEY";
  if (status === 403) return "403 forbidden: the key has no access";
  return `404 not found: no such model "${model}" or no such API path at this URL`;
}

/**
 * Which endpoints have ever answered. One that never did and cannot be connected to (refused, no
 * such host, a bad port) is down; once every endpoint is
 * down the request fails with an error naming them (secrets redacted) and the cause, which stops
 * the stage at once instead of retrying each of hundreds of requests for minutes. An endpoint
 * that answered before is having a transient problem, and resets, 429s and 5xx are retried as
 * always.
 */
class EndpointHealth {
  private readonly state: ("unknown" | "answered" | { cause: string })[];

  constructor(private readonly urls: readonly string[]) {
    this.state = urls.map(() => "unknown");
  }

  answered(index: number): void {
    this.state[index] = "answered";
  }

  private stuck: PvaError | null = null;

  /** Throws once a request found every endpoint hanging (see stuckAfter), so the others stop too. */
  throwIfStuck(): void {
    if (this.stuck) throw this.stuck;
  }

  /**
   * A request timed out on each of its attempts. While no endpoint has ever answered, the run
   * stops with one line naming them; once one has, hangs are transient and only fail the request.
   */
  stuckAfter(attempts: number, timeoutMs: number): void {
    if (this.state.some((s) => s === "answered")) return;
    const urls = this.urls.map((url) => redactUrl(url)).join(", ");
    this.stuck ??= new PvaError(
      `${urls}: no answer within ${timeoutMs / 1000} s on ${attempts} attempt${attempts === 1 ? "" : "s"}, and no endpoint has answered yet; the server accepts connections but does not respond (elicitation.requestTimeoutSeconds sets the wait per attempt)`,
      "E_ENDPOINT_DOWN",
    );
    throw this.stuck;
  }

  /** Throws while every endpoint is down, so requests in flight stop too instead of retrying. */
  failed(index: number, error: Error): void {
    const state = this.state[index];
    if (state === "answered") return;
    // A hang is not counted here: whether a slow first answer beats a short timeout depends on
    // the machine's load. It is bounded per request by the timeout and the retry budget.
    if (!(typeof state === "object" && "cause" in state)) {
      if (!cannotConnect(error)) return;
      this.state[index] = { cause: rootCause(error) };
    }
    const causes = this.state.map((s) => (typeof s === "object" && "cause" in s ? s.cause : undefined));
    if (causes.some((cause) => cause === undefined)) return;
    const named = causes.map((cause, i) => `${redactUrl(this.urls[i])} (${cause})`);
    throw new PvaError(
      `cannot reach the endpoint${named.length > 1 ? "s" : ""} ${named.join(", ")}; is the server running at that URL?`,
      "E_ENDPOINT_DOWN",
    );
  }
}
