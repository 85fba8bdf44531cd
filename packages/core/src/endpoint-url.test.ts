import { describe, expect, it } from "vitest";
import { endpointUrlProblem } from "./endpoint-url.js";

describe("endpointUrlProblem", () => {
  it.each(["http://127.0.0.1:8080/v1", "https://api.example.com/v1", "http://h/v1?key=sk-1"])(
    "accepts %s",
    (url) => {
      expect(endpointUrlProblem(url)).toBeUndefined();
    },
  );

  it.each([
    ["notaurl", "expected an http:// or https:// base URL such as"],
    ["file:///etc/passwd", "got a file: URL"],
    ["ftp://h/v1", "got a ftp: URL"],
    ["http://user:pw@host/v1", 'expected no user:password@ in the URL "http://host/v1"'],
  ])("refuses %s", (url, words) => {
    expect(endpointUrlProblem(url)).toContain(words);
  });

  it("never repeats a secret", () => {
    expect(endpointUrlProblem("http://user:sk-SECRET@host/v1")).not.toContain("sk-SECRET");
    expect(endpointUrlProblem("notaurl?key=sk-SECRET")).not.toContain("sk-SECRET");
  });
});
