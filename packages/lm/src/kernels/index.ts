import type { ComputeBackend, ComputeBackendOptions } from "./compute-backend.js";
import { createJsBackend } from "./js-backend.js";

export type { ComputeBackend, ComputeBackendKind, ComputeBackendOptions } from "./compute-backend.js";
export { matmulReference } from "./matmul-reference.js";

/** Creates the matmul backend the runtime computes with. */
export async function createComputeBackend(opts: ComputeBackendOptions = {}): Promise<ComputeBackend> {
  const kind = opts.kind ?? "js";
  switch (kind) {
    case "js":
      return createJsBackend();
    default:
      throw new RangeError(`createComputeBackend: unknown kind ${String(kind)}`);
  }
}
