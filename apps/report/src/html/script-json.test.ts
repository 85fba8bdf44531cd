import { describe, expect, it } from "vitest";
import { jsonForScript } from "./script-json.js";

describe("jsonForScript", () => {
  const hostile = { text: "</script><script>alert(1)</script><!-- & \u2028\u2029" };

  it("leaves no character that can end or alter a script element", () => {
    const json = jsonForScript(hostile);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain("\\u003c/script\\u003e");
  });

  it("parses back to the same value", () => {
    expect(JSON.parse(jsonForScript(hostile))).toEqual(hostile);
  });
});
