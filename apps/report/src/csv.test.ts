import { describe, expect, it } from "vitest";
import { toCsv } from "./csv.js";

describe("toCsv", () => {
  it("writes a header from the union of keys and RFC 4180 quoting", () => {
    const csv = toCsv([
      { id: "a", text: 'say "hi", then\nleave', elo: 1500.5 },
      { id: "b", elo: null, extra: true },
    ]);
    expect(csv).toBe('id,text,elo,extra\r\na,"say ""hi"", then\nleave",1500.5,\r\nb,,,true\r\n');
  });

  it("defuses text a spreadsheet would run as a formula, but not negative numbers", () => {
    const csv = toCsv([{ text: '=HYPERLINK("http://x")', shift: -12.5, note: "+1" }]);
    expect(csv.split("\r\n")[1]).toBe(`"'=HYPERLINK(""http://x"")",-12.5,'+1`);
  });
});
