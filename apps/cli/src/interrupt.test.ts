import { InterruptedError, PvaError } from "@pva/core";
import { expect, it } from "vitest";
import { asStageInterruption, withInterruptSignal } from "./interrupt.js";

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

it("aborts the task's signal on the first SIGTERM or Ctrl-C, and removes its handlers when the task ends", async () => {
  const before = { SIGINT: process.listeners("SIGINT"), SIGTERM: process.listeners("SIGTERM") };
  const lines: string[] = [];
  const added = (name: "SIGINT" | "SIGTERM") =>
    process.listeners(name).filter((l) => !before[name].includes(l));
  const result = await withInterruptSignal(
    (line) => lines.push(line),
    async (signal) => {
      expect(added("SIGINT")).toHaveLength(1);
      expect(added("SIGTERM")).toHaveLength(1);
      expect(signal.aborted).toBe(false);
      // The handler itself, called as the process would on a SIGTERM (emitting the signal would
      // also reach the test runner's own handlers).
      (added("SIGTERM")[0] as () => void)();
      expect(signal.aborted).toBe(true);
      return "done";
    },
  );
  expect(result).toBe("done");
  expect(lines).toEqual(["pva: SIGTERM, stopping after the current record (send it again to quit now)"]);
  expect(process.listeners("SIGINT")).toEqual(before.SIGINT);
  expect(process.listeners("SIGTERM")).toEqual(before.SIGTERM);

  // A task that fails removes them too, and its error comes through.
  await expect(
    withInterruptSignal(
      () => undefined,
      async () => {
        throw new PvaError("failed", "E_CONFIG");
      },
    ),
  ).rejects.toThrow("failed");
  expect(process.listeners("SIGINT")).toEqual(before.SIGINT);
  expect(process.listeners("SIGTERM")).toEqual(before.SIGTERM);
});
