import { createRng } from "@pva/core";
import { describe, expect, it } from "vitest";
import {
  ConnectionFailure,
  isTransientFailure,
  MalformedResponseError,
  RequestFailedError,
  retryAfterMs,
  withRetries,
} from "./retry-policy.js";

const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1_000, maxTotalMs: 60_000 };

function httpError(status: number, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`HTTP ${status}`), { status, headers: new Headers(headers) });
}

describe("retry policy", () => {
  it("classifies transient failures", () => {
    for (const status of [408, 429, 500, 502, 503, 529])
      expect(isTransientFailure(httpError(status))).toBe(true);
    for (const status of [400, 401, 403, 404, 422]) expect(isTransientFailure(httpError(status))).toBe(false);
    expect(isTransientFailure(new ConnectionFailure("timed out"))).toBe(true);
    expect(isTransientFailure(new MalformedResponseError("no choices"))).toBe(true);
    expect(isTransientFailure(new SyntaxError("Unexpected end of JSON input"))).toBe(true);
    expect(isTransientFailure(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe(true);
    expect(
      isTransientFailure(new Error("x", { cause: Object.assign(new Error("y"), { code: "EPIPE" }) })),
    ).toBe(true);
    expect(isTransientFailure(new TypeError("bad argument"))).toBe(false);
  });

  it("reads Retry-After as seconds, as an HTTP date, and retry-after-ms", () => {
    expect(retryAfterMs(httpError(429, { "retry-after": "3" }))).toBe(3000);
    expect(retryAfterMs(httpError(429, { "retry-after-ms": "250" }))).toBe(250);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(httpError(429, { "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(5000);
    expect(retryAfterMs(httpError(429))).toBeNull();
  });

  it("backs off exponentially with jitter, waits out Retry-After, then succeeds", async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls === 1) throw httpError(503);
        if (calls === 2) throw httpError(503);
        if (calls === 3) throw httpError(429, { "retry-after": "7" });
        return "ok";
      },
      policy,
      createRng(1),
      async (ms) => {
        waits.push(ms);
      },
    );
    expect(result).toEqual({ value: "ok", attempts: 4 });
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
    // Retry-After beyond maxDelayMs is still honoured in full
    expect(waits[2]).toBe(7000);
  });

  it("stops after maxRetries, and at once on an error that retrying cannot fix", async () => {
    let calls = 0;
    const failing = withRetries(
      async () => {
        calls++;
        throw httpError(500);
      },
      policy,
      createRng(2),
      async () => {},
    );
    await expect(failing).rejects.toBeInstanceOf(RequestFailedError);
    expect(calls).toBe(6);
    calls = 0;
    const permanent = withRetries(
      async () => {
        calls++;
        throw httpError(400);
      },
      policy,
      createRng(2),
      async () => {},
    );
    await expect(permanent).rejects.toMatchObject({ attempts: 1 });
    expect(calls).toBe(1);
  });

  it("turns a rejection (bad key, no access, wrong URL) into a run-stopping error, not a counted failure", async () => {
    for (const status of [401, 403, 404]) {
      const rejected = withRetries(
        async () => {
          throw httpError(status);
        },
        policy,
        createRng(4),
        async () => {},
      );
      await expect(rejected).rejects.toMatchObject({ code: "E_REQUEST_REJECTED" });
      await expect(rejected).rejects.not.toBeInstanceOf(RequestFailedError);
    }
  });

  it("gives up when the next wait would pass the total time budget", async () => {
    const waits: number[] = [];
    const run = withRetries(
      async () => {
        throw httpError(429, { "retry-after": "120" });
      },
      { ...policy, maxTotalMs: 60_000 },
      createRng(3),
      async (ms) => {
        waits.push(ms);
      },
    );
    await expect(run).rejects.toThrow(/retry budget/);
    expect(waits).toEqual([]);
  });
});
