import { describe, expect, it } from "vitest";
import { PvaError } from "./errors.js";
import { InterruptedError, throwIfInterrupted } from "./interrupted-error.js";

describe("throwIfInterrupted", () => {
  it("does nothing without a signal or before it fires", () => {
    expect(() => throwIfInterrupted(undefined, "vectors")).not.toThrow();
    expect(() => throwIfInterrupted(new AbortController().signal, "vectors")).not.toThrow();
  });

  it("throws an InterruptedError naming the stage once the signal fired", () => {
    const controller = new AbortController();
    controller.abort();
    let caught: unknown;
    try {
      throwIfInterrupted(controller.signal, "probe");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InterruptedError);
    expect(caught).toBeInstanceOf(PvaError);
    expect(caught).toMatchObject({ code: "E_INTERRUPTED", stage: "probe" });
    expect((caught as Error).message).toBe(
      "interrupted during probe; what was recorded is kept, run the same command again to resume",
    );
  });
});
