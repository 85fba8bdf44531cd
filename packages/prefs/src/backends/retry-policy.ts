import { PvaError, type Rng } from "@pva/core";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff; each retry doubles it (full jitter: a uniform draw below the cap). A server's Retry-After is waited out in full, even beyond maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Give up once waiting again would pass this much time since the first attempt. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxTotalMs: 300_000,
};

/** A response that arrived but does not have the shape the protocol promises (retried). */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedResponseError";
  }
}

/** The connection failed, was reset or timed out before a response (retried). SDK errors are mapped to it. */
export class ConnectionFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConnectionFailure";
  }
}

/** All retries spent, or a failure that retrying cannot fix; the message names the last cause. */
export class RequestFailedError extends PvaError {
  readonly attempts: number;
  constructor(message: string, attempts: number) {
    super(message, "E_REQUEST_FAILED");
    this.name = "RequestFailedError";
    this.attempts = attempts;
  }
}

interface HttpishError {
  status?: unknown;
  name?: unknown;
  code?: unknown;
  headers?: unknown;
  cause?: unknown;
}

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "UND_ERR_SOCKET",
  "EAI_AGAIN",
]);
const TRANSIENT_NAMES = new Set(["ConnectionFailure", "MalformedResponseError", "SyntaxError"]);

/** 408/409/425/429/5xx, timeouts, resets, refused connections and garbled bodies are worth retrying. */
export function isTransientFailure(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as HttpishError;
  if (typeof e.status === "number") return [408, 409, 425, 429].includes(e.status) || e.status >= 500;
  if (typeof e.name === "string" && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === "string" && TRANSIENT_CODES.has(e.code)) return true;
  return e.cause !== undefined && e.cause !== error && isTransientFailure(e.cause);
}

/** 401, 403, 404: the server refuses every request like this one. */
export function isRejection(error: unknown): boolean {
  const status = (error as HttpishError | null)?.status;
  return status === 401 || status === 403 || status === 404;
}

/** The server's Retry-After (or retry-after-ms), in milliseconds, if it sent one. */
export function retryAfterMs(error: unknown, now = Date.now()): number | null {
  const headers = (error as HttpishError | null)?.headers;
  const read = (name: string): string | null => {
    if (headers instanceof Headers) return headers.get(name);
    if (headers && typeof headers === "object") {
      const value = (headers as Record<string, unknown>)[name];
      return typeof value === "string" ? value : null;
    }
    return null;
  };
  const ms = read("retry-after-ms");
  if (ms !== null && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = read("retry-after");
  if (after === null) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Math.max(0, Number(after) * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.split("\n")[0];
  return String(error);
}

/**
 * Runs `attempt` until it succeeds, retrying transient failures with exponential backoff and full
 * jitter, waiting at least what the server's Retry-After asks, within a bounded total time.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  rng: Rng,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<{ value: T; attempts: number }> {
  const started = Date.now();
  for (let n = 0; ; n++) {
    try {
      return { value: await attempt(n), attempts: n + 1 };
    } catch (error) {
      // A user-facing error the attempt raised on purpose (an endpoint down, a broken protocol)
      // ends the request as it is: retrying cannot fix it.
      if (error instanceof PvaError) throw error;
      if (isRejection(error)) {
        // a bad key, no access, or a wrong URL/model fails every request alike: stop the run
        throw new PvaError(`request rejected: ${describe(error)}`, "E_REQUEST_REJECTED");
      }
      if (!isTransientFailure(error)) throw new RequestFailedError(describe(error), n + 1);
      if (n >= policy.maxRetries) {
        throw new RequestFailedError(`gave up after ${n + 1} attempts: ${describe(error)}`, n + 1);
      }
      const backoff = rng.float() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n);
      const asked = retryAfterMs(error);
      const delay = asked === null ? backoff : Math.max(asked, backoff);
      if (Date.now() - started + delay > policy.maxTotalMs) {
        throw new RequestFailedError(
          `gave up after ${n + 1} attempts (${policy.maxTotalMs} ms retry budget): ${describe(error)}`,
          n + 1,
        );
      }
      await sleep(delay);
    }
  }
}
