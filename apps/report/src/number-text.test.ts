import { describe, expect, it } from "vitest";
import { fixed, interval, signed } from "./number-text.js";

describe("number text", () => {
  it("never writes a minus sign on a value that rounds to zero", () => {
    expect(fixed(-0.004, 2)).toBe("0.00");
    expect(fixed(-0, 0)).toBe("0");
    expect(fixed(-0.4, 0)).toBe("0");
    expect(fixed(-0.006, 2)).toBe("-0.01");
    expect(interval([-0.0004, 0.25], 3)).toBe("[0.000, 0.250]");
  });

  it("signs shifts: + above zero, - below, nothing on zero", () => {
    expect(signed(82.4)).toBe("+82");
    expect(signed(-50.2)).toBe("-50");
    expect(signed(-0.3)).toBe("0");
    expect(signed(0.3)).toBe("0");
  });
});
