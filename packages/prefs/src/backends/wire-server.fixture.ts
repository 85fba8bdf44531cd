import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createRng } from "@pva/core";

/**
 * A local HTTP server that speaks the OpenAI (completions, chat completions) or Anthropic
 * (messages) wire protocol with deterministic answers derived from the prompt, and injects faults
 * into a share of requests: 429 with Retry-After, 500, a dropped connection, a request that never
 * gets an answer (client timeout), and a 200 with a truncated JSON body.
 */
export type Fault = "429" | "500" | "drop" | "timeout" | "malformed";
export const FAULTS: readonly Fault[] = ["429", "500", "drop", "timeout", "malformed"];

export interface WireServer {
  url: string;
  /** Requests that got a real answer, per prompt. */
  answered: Map<string, number>;
  faults: Record<Fault, number>;
  /**
   * Resolves once no connection is open and no answer is pending: after a client was killed, what
   * it left in flight has been counted (or dropped) by then.
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface WireServerOptions {
  protocol: "openai" | "anthropic";
  faultRate: number;
  seed: number;
  retryAfterSeconds?: number;
  /** Anthropic: the API key the client must send. */
  apiKey?: string;
  /** Delay before each real answer, to stretch a run out (ms). */
  answerDelayMs?: number;
}

/** P(A) for a prompt: a fixed function of its text, so reruns and resumes see the same model. */
export function promptPreference(prompt: string): number {
  const h = createHash("sha256").update(prompt).digest();
  return 0.05 + 0.9 * (h.readUInt16LE(0) / 65535);
}

export async function startWireServer(opts: WireServerOptions): Promise<WireServer> {
  const rng = createRng(opts.seed).fork("faults");
  const sockets = new Set<Socket>();
  const answered = new Map<string, number>();
  const faults: Record<Fault, number> = { "429": 0, "500": 0, drop: 0, timeout: 0, malformed: 0 };
  let faultTurn = 0;

  const reply = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw);
    } catch {
      return reply(res, 400, { error: { message: "request body is not JSON" } });
    }
    const route = `${req.method} ${req.url}`;
    const prompt =
      typeof body.prompt === "string"
        ? body.prompt
        : Array.isArray(body.messages)
          ? JSON.stringify(body.messages)
          : null;
    if (typeof body.model !== "string" || typeof body.max_tokens !== "number" || prompt === null) {
      return reply(res, 400, { error: { message: "model, max_tokens and prompt/messages are required" } });
    }
    if (rng.float() < opts.faultRate) {
      const fault = FAULTS[faultTurn++ % FAULTS.length];
      faults[fault]++;
      if (fault === "429") {
        const type =
          opts.protocol === "anthropic"
            ? { type: "error", error: { type: "rate_limit_error", message: "slow down" } }
            : { error: { message: "slow down", type: "rate_limit" } };
        return reply(res, 429, type, { "retry-after": String(opts.retryAfterSeconds ?? 1) });
      }
      if (fault === "500") return reply(res, 500, { error: { message: "internal error" } });
      if (fault === "drop") return req.socket.destroy();
      if (fault === "timeout") return; // never answered; the client's timeout fires
      res.writeHead(200, { "content-type": "application/json" });
      return res.end('{"id": "cmpl-broken", "choices": [{"text": "A", ');
    }
    answered.set(prompt, (answered.get(prompt) ?? 0) + 1);
    const pA = promptPreference(prompt);
    const pB = (1 - pA) * 0.9;
    const offLabel = 1 - pA * 0.9 - pB;
    const top = [
      { token: "A", logprob: Math.log(pA * 0.9) },
      { token: "B", logprob: Math.log(pB) },
      { token: "I", logprob: Math.log(offLabel) },
    ];
    const text =
      pA > 0.92 ? "I can't choose between these." : pA >= 0.5 ? "A) sounds better" : "B) sounds better";
    if (route === "POST /v1/completions") {
      const logprobs = typeof body.logprobs === "number";
      return reply(res, 200, {
        id: "cmpl-1",
        object: "text_completion",
        created: 1,
        model: body.model,
        choices: [
          {
            index: 0,
            text: logprobs ? (pA >= 0.5 ? "A" : "B") : text,
            finish_reason: "length",
            logprobs: logprobs
              ? {
                  tokens: [pA >= 0.5 ? "A" : "B"],
                  token_logprobs: [top[pA >= 0.5 ? 0 : 1].logprob],
                  top_logprobs: [Object.fromEntries(top.map((t) => [t.token, t.logprob]))],
                  text_offset: [0],
                }
              : null,
          },
        ],
        usage: { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21 },
      });
    }
    if (route === "POST /v1/chat/completions") {
      const logprobs = body.logprobs === true;
      const first = pA >= 0.5 ? "A" : "B";
      return reply(res, 200, {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: logprobs ? `(${first}` : text, refusal: null },
            logprobs: logprobs
              ? {
                  // a chat model opening with "(" before its label, as many do
                  content: [
                    {
                      token: "(",
                      logprob: -0.01,
                      bytes: [40],
                      top_logprobs: [
                        { token: "(", logprob: -0.01, bytes: [40] },
                        { token: "A", logprob: -6, bytes: [65] },
                      ],
                    },
                    {
                      token: first,
                      logprob: top[first === "A" ? 0 : 1].logprob,
                      bytes: [first.charCodeAt(0)],
                      top_logprobs: top.map((t) => ({ ...t, bytes: [t.token.charCodeAt(0)] })),
                    },
                  ],
                }
              : null,
            finish_reason: "length",
          },
        ],
        usage: { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21 },
      });
    }
    if (route === "POST /v1/messages") {
      const key = req.headers["x-api-key"] ?? req.headers.authorization?.replace(/^Bearer /, "");
      if (key !== opts.apiKey || typeof req.headers["anthropic-version"] !== "string") {
        return reply(res, 401, {
          type: "error",
          error: { type: "authentication_error", message: "bad key" },
        });
      }
      return reply(res, 200, {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: body.model,
        content: [{ type: "text", text }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 20, output_tokens: 3 },
      });
    }
    return reply(res, 404, { error: { message: `no route ${route}` } });
  };

  let pendingAnswers = 0;
  const onIdle: (() => void)[] = [];
  const checkIdle = () => {
    if (sockets.size > 0 || pendingAnswers > 0) return;
    for (const resolve of onIdle.splice(0)) resolve();
  };

  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      if (!opts.answerDelayMs) return handle(req, res, raw);
      pendingAnswers++;
      setTimeout(() => {
        handle(req, res, raw);
        pendingAnswers--;
        checkIdle();
      }, opts.answerDelayMs);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      checkIdle();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: opts.protocol === "openai" ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`,
    answered,
    faults,
    settled: () =>
      new Promise<void>((resolve) => {
        onIdle.push(resolve);
        checkIdle();
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
