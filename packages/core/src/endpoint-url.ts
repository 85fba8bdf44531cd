import { redactUrl } from "./redact-url.js";

/**
 * What is wrong with an endpoint base URL, or undefined when nothing is: pva talks to an
 * OpenAI-compatible server over http or https only (`file:`, `ftp:` and a bare host fail only
 * later, at the first request), and credentials go in the API-key environment variable, never in
 * the URL, which is written to logs and error lines. A key in the query is accepted (some proxies
 * want one) and redacted wherever the URL is written (redactUrl).
 */
export function endpointUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `expected an http:// or https:// base URL such as http://localhost:8080/v1, got ${JSON.stringify(redactUrl(url))}`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return `expected an http:// or https:// base URL, got a ${parsed.protocol} URL (${JSON.stringify(redactUrl(url))})`;
  if (parsed.username !== "" || parsed.password !== "")
    return `expected no user:password@ in the URL ${JSON.stringify(redactUrl(url))}: set the key in OPENAI_API_KEY instead`;
  return undefined;
}
