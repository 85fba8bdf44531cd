import { describe, expect, it } from "vitest";
import { redactUrl } from "./redact-url.js";

describe("redactUrl", () => {
  it.each([
    ["http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"],
    ["http://127.0.0.1:18001/v1?key=sk-q-SECRET", "http://127.0.0.1:18001/v1?key=REDACTED"],
    ["https://user:pw@host.example/v1", "https://host.example/v1"],
    ["https://user@host.example/v1?a=1&b=2#frag", "https://host.example/v1?a=REDACTED&b=REDACTED"],
    ["http://host/v1?", "http://host/v1"],
    ["notaurl?key=sk-1", "notaurl"],
    ["//user:pw@host/v1", "//host/v1"],
  ])("%s -> %s", (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it("never returns a secret it was given", () => {
    for (const url of [
      "http://a:sk-SECRET@h/v1",
      "http://h/v1?token=sk-SECRET",
      "x://sk-SECRET@h?q=sk-SECRET",
    ])
      expect(redactUrl(url)).not.toContain("sk-SECRET");
  });
});
