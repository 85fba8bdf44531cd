import { InterruptedError, PvaError } from "@pva/core";
import { expect, it } from "vitest";
import { asStageInterruption } from "./interrupt.js";

it("names the pipeline stage for an interruption inside one of its library calls", () => {
  const relabelled = asStageInterruption(new InterruptedError("vectors"), "robustness");
  expect(relabelled).toBeInstanceOf(InterruptedError);
  expect((relabelled as Error).message).toBe(
    "interrupted during robustness; what was recorded is kept, run the same command again to resume",
  );
  const own = new InterruptedError("elicit");
  expect(asStageInterruption(own, "elicit")).toBe(own);
  const other = new PvaError("something else", "E_CONFIG");
  expect(asStageInterruption(other, "robustness")).toBe(other);
});
