import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type Activity, type ChoiceRecord, defaultActivities } from "@pva/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type ElicitOptions, elicit } from "../elicit.js";
import { rawPrompt } from "../prompts.js";
import { createAnthropicBackend } from "./anthropic-backend.js";
import type { ChoiceBackend } from "./choice-backend.js";
import { createOpenAIBackend } from "./openai-backend.js";
import { FAULTS, promptPreference, startWireServer, type WireServer } from "./wire-server.fixture.js";

const activities = defaultActivities.slice(0, 8);
const orderedPairs = activities.length * (activities.length - 1);
const SECRET = "sk-test-never-written-7f3a";
// fast retries for the test; Retry-After (1 s) is still waited out in full
const retry = { maxRetries: 12, baseDelayMs: 20, maxDelayMs: 200, maxTotalMs: 60_000 };

let dir: string;
const servers: WireServer[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-prefs-http-"));
  process.env.PVA_TEST_OPENAI_KEY = SECRET;
  process.env.PVA_TEST_ANTHROPIC_KEY = SECRET;
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One HTTP request as the client sent it, and what came back (null: no response, e.g. a timeout). */
interface SentRequest {
  url: string;
  prompt: string;
  sentAt: number;
  status: number | null;
  receivedAt: number | null;
  retryAfterMs: number | null;
}

/**
 * Records every request the SDKs send, on the client's side, by wrapping the real global fetch (the
 * SDKs pick it up when a client is made, so call this before making the backend). A 429 counts once
 * the client has it: a server cannot know whether the client read its 429 or had already timed out.
 */
function watchRequests(): SentRequest[] {
  const sent: SentRequest[] = [];
  const realFetch = globalThis.fetch;
  vi.stubGlobal("fetch", async (input: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body));
    const request: SentRequest = {
      url: String(input),
      prompt: typeof body.prompt === "string" ? body.prompt : JSON.stringify(body.messages),
      sentAt: performance.now(),
      status: null,
      receivedAt: null,
      retryAfterMs: null,
    };
    sent.push(request);
    const response = await realFetch(input, init);
    request.status = response.status;
    request.receivedAt = performance.now();
    const retryAfter = response.headers.get("retry-after");
    if (retryAfter !== null) request.retryAfterMs = Number(retryAfter) * 1000;
    return response;
  });
  return sent;
}

/**
 * For each 429 the client received: the wait until that prompt's next request, on whichever
 * endpoint, and whether it went to another endpoint.
 */
function throttleWaits(sent: readonly SentRequest[]) {
  return sent.flatMap((request, i) => {
    if (request.status !== 429) return [];
    const next = sent.slice(i + 1).find((later) => later.prompt === request.prompt);
    return [{ request, next }];
  });
}

async function runAndCheck(
  backend: ChoiceBackend,
  storeFile: string,
  samples: number,
  wire: WireServer[],
  sent: readonly SentRequest[],
) {
  const elicitAll = (onProgress?: ElicitOptions["onProgress"]) =>
    elicit({
      backend,
      activities,
      design: { kind: "full" },
      storeFile,
      condition: "baseline",
      seed: 7,
      samplesPerPair: samples,
      concurrency: 4,
      onProgress,
    });
  let failures: unknown = "no progress reported";
  const records = await elicitAll((p) => {
    failures = p.failures === 0 ? 0 : `${p.failures}: ${p.lastFailure}`;
  });
  expect(failures).toBe(0);
  // every ordered pair and sample recorded exactly once, in the store file too
  expect(records).toHaveLength(orderedPairs * samples);
  const lines = (await readFile(storeFile, "utf8")).trim().split("\n");
  expect(lines).toHaveLength(orderedPairs * samples);
  expect(new Set(lines.map((l) => JSON.parse(l).key)).size).toBe(orderedPairs * samples);
  const slots = new Set(records.map((r) => `${r.a}>${r.b}#${r.sampleIndex}`));
  expect(slots.size).toBe(orderedPairs * samples);
  // the fault mix really happened, and each 429's Retry-After was honoured
  for (const fault of FAULTS) expect(wire.reduce((n, s) => n + s.faults[fault], 0)).toBeGreaterThan(0);
  if (samples === 1) {
    // With one request per prompt, a throttled prompt's next request is its retry. Every prompt
    // ends up answered, so every 429 the client received has one, and it waited out Retry-After
    // (timer and clock both count whole milliseconds, hence 1 ms of slack).
    const waits = throttleWaits(sent);
    expect(waits.length).toBeGreaterThan(0);
    for (const { request, next } of waits) {
      expect(next, request.prompt).toBeDefined();
      expect(request.retryAfterMs).toBe(1000);
      expect(next!.sentAt - request.receivedAt!).toBeGreaterThanOrEqual(request.retryAfterMs! - 1);
    }
  }
  expect(lines.join("\n")).not.toContain(SECRET);

  // a repeated run asks nothing
  const asked = requestsAnswered(wire);
  const again = await elicitAll();
  expect(again).toEqual(records);
  expect(requestsAnswered(wire)).toBe(asked);
  return records;
}

function requestsAnswered(wire: WireServer[]): number {
  return wire.reduce((n, s) => n + [...s.answered.values()].reduce((x, y) => x + y, 0), 0);
}

/** The activities a record compared, in the order the prompt showed them. */
function shownPair(record: ChoiceRecord): [Activity, Activity] {
  const a = activities.find((x) => x.id === record.a)!;
  const b = activities.find((x) => x.id === record.b)!;
  return [a, b];
}

/** The OpenAI backend as the fault-mix tests configure it: the test key, fast retries, a short timeout. */
function openaiBackend(endpoints: string[], readout: "logprobs" | "samples", template?: "chat") {
  return createOpenAIBackend({
    endpoints,
    model: "test-model",
    readout,
    template,
    apiKeyEnv: "PVA_TEST_OPENAI_KEY",
    timeoutMs: 300,
    retry,
  });
}

describe("HTTP backends against local servers with 20% faults", () => {
  it("OpenAI-compatible logprobs over two endpoints: renormalised P(A), every pair once", async () => {
    for (const seed of [1, 2])
      servers.push(await startWireServer({ protocol: "openai", faultRate: 0.2, seed }));
    const sent = watchRequests();
    const backend = openaiBackend(
      servers.map((s) => s.url),
      "logprobs",
    );
    const records = await runAndCheck(backend, join(dir, "openai-logprobs.jsonl"), 1, servers, sent);
    // both endpoints served; runAndCheck timed each 429's retry wherever the round-robin sent it
    for (const server of servers) expect(server.answered.size).toBeGreaterThan(10);
    for (const record of records) {
      const [a, b] = shownPair(record);
      // the server puts 0.9 * pA on "A", 0.9 * (1 - pA) on "B", the rest on "I"
      expect(record.pA).toBeCloseTo(promptPreference(rawPrompt(a, b).text), 10);
      expect(record.pA! + record.pB!).toBeCloseTo(1, 12);
      expect(record.offLabelMass).toBeCloseTo(0.1, 10);
      expect(record.readout).toBe("logprobs");
    }
  });

  it("OpenAI-compatible chat logprobs: read at the label token, past an opening parenthesis", async () => {
    servers.push(await startWireServer({ protocol: "openai", faultRate: 0.2, seed: 6 }));
    const sent = watchRequests();
    const backend = openaiBackend([servers[0].url], "logprobs", "chat");
    const records = await runAndCheck(backend, join(dir, "openai-chat-logprobs.jsonl"), 1, servers, sent);
    for (const record of records) {
      const [a, b] = shownPair(record);
      expect(record.pA).toBeCloseTo(promptPreference(backend.prompt(a, b)), 10);
      expect(record.offLabelMass).toBeCloseTo(0.1, 10);
    }
  });

  it("OpenAI-compatible chat sampling: K samples per ordered pair, parsed answers", async () => {
    servers.push(await startWireServer({ protocol: "openai", faultRate: 0.2, seed: 3 }));
    const backend = openaiBackend([servers[0].url], "samples", "chat");
    const records = await runAndCheck(backend, join(dir, "openai-samples.jsonl"), 2, servers, []);
    expect(new Set(records.map((r) => r.choice))).toEqual(new Set(["A", "B", "refusal"]));
    expect(records.every((r) => r.pA === null && r.rawAnswer !== null)).toBe(true);
  });

  it("Anthropic messages with a prefilled answer: K samples per ordered pair", async () => {
    servers.push(await startWireServer({ protocol: "anthropic", faultRate: 0.2, seed: 4, apiKey: SECRET }));
    const backend = createAnthropicBackend({
      model: "claude-test",
      baseURL: servers[0].url,
      apiKeyEnv: "PVA_TEST_ANTHROPIC_KEY",
      timeoutMs: 300,
      retry,
    });
    const records = await runAndCheck(backend, join(dir, "anthropic.jsonl"), 3, servers, []);
    for (const record of records) {
      const [a, b] = shownPair(record);
      const pA = promptPreference(backend.prompt(a, b));
      expect(record.choice).toBe(pA > 0.92 ? "refusal" : pA >= 0.5 ? "A" : "B");
    }
  });

  it("stops the run with one line when the server rejects the key", async () => {
    servers.push(
      await startWireServer({ protocol: "anthropic", faultRate: 0, seed: 7, apiKey: "another-key" }),
    );
    const backend = createAnthropicBackend({
      model: "claude-test",
      baseURL: servers[0].url,
      apiKeyEnv: "PVA_TEST_ANTHROPIC_KEY",
      retry,
    });
    const run = elicit({
      backend,
      activities: activities.slice(0, 3),
      design: { kind: "full" },
      storeFile: join(dir, "rejected.jsonl"),
      condition: "baseline",
      seed: 1,
      samplesPerPair: 1,
      concurrency: 2,
    });
    await expect(run).rejects.toMatchObject({ code: "E_REQUEST_REJECTED" });
    await expect(run).rejects.toThrow(/^request rejected: AuthenticationError: 401/);
  });

  it("gives up on a request after the bounded retries and counts it as a failure, recording nothing", async () => {
    servers.push(await startWireServer({ protocol: "openai", faultRate: 1, seed: 5 }));
    const backend = createOpenAIBackend({
      endpoints: [servers[0].url],
      model: "test-model",
      readout: "logprobs",
      timeoutMs: 200,
      retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 10, maxTotalMs: 1_500 },
    });
    const { records, failures } = await elicitFirstPair(backend, join(dir, "hopeless.jsonl"), 2);
    expect(records).toEqual([]);
    expect(failures).toBe(2);
  });
});

/** Both orders of the first two activities, `concurrency` at a time: the records and how many requests failed. */
async function elicitFirstPair(
  backend: ChoiceBackend,
  storeFile: string,
  concurrency: number,
): Promise<{ records: ChoiceRecord[]; failures: number }> {
  let failures = 0;
  const records = await elicit({
    backend,
    activities: activities.slice(0, 2),
    design: { kind: "full" },
    storeFile,
    condition: "baseline",
    seed: 1,
    samplesPerPair: 1,
    concurrency,
    onProgress: (p) => {
      failures = p.failures;
    },
  });
  return { records, failures };
}

/**
 * A server that answers the first `answers` requests (P(A) = 0.7) and never answers any after:
 * it accepts the connection and reads the body, then holds it open.
 */
async function startHangingServer(
  answers: number,
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      if (++requests > answers) return;
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          id: `c${requests}`,
          object: "text_completion",
          model: "m",
          choices: [
            {
              index: 0,
              text: " A",
              logprobs: { top_logprobs: [{ " A": Math.log(0.7), " B": Math.log(0.3) }] },
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("an endpoint that accepts connections and never answers (issue #16 row 4)", () => {
  it("stops the run once a request timed out on every attempt and no endpoint ever answered", async () => {
    const hanging = await startHangingServer(0);
    try {
      const backend = createOpenAIBackend({
        endpoints: [`${hanging.url}?key=sk-hang-SECRET`],
        model: "m",
        readout: "logprobs",
        timeoutMs: 100,
        retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 10, maxTotalMs: 60_000 },
      });
      const run = elicit({
        backend,
        activities: activities.slice(0, 4),
        design: { kind: "full" },
        storeFile: join(dir, "hanging.jsonl"),
        condition: "baseline",
        seed: 1,
        samplesPerPair: 1,
        concurrency: 2,
      });
      await expect(run).rejects.toMatchObject({ code: "E_ENDPOINT_DOWN" });
      await expect(run).rejects.toThrow(
        `${hanging.url}?key=REDACTED: no answer within 0.1 s on 2 attempts, and no endpoint has answered yet`,
      );
      // 12 ordered pairs, 2 in flight: the first two requests' 2 attempts each, then nothing more.
      expect(hanging.requests()).toBeLessThanOrEqual(4);
    } finally {
      await hanging.close();
    }
  });

  it("only fails the request once the endpoint has answered before: a later hang is transient", async () => {
    const hanging = await startHangingServer(1);
    try {
      const backend = createOpenAIBackend({
        endpoints: [hanging.url],
        model: "m",
        readout: "logprobs",
        // generous: the first request must be answered whatever the machine's load
        timeoutMs: 5_000,
        retry: { maxRetries: 0, baseDelayMs: 5, maxDelayMs: 10, maxTotalMs: 60_000 },
      });
      const { records, failures } = await elicitFirstPair(backend, join(dir, "hangs-later.jsonl"), 1);
      expect(records.map((r) => r.pA)).toEqual([expect.closeTo(0.7, 9)]);
      expect(failures).toBe(1);
    } finally {
      await hanging.close();
    }
  });
});
