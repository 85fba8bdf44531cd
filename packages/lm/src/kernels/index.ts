import type { ComputeBackend, ComputeBackendOptions } from "./compute-backend.js";
import { createJsBackend } from "./js-backend.js";
import { createWasmBackend } from "./wasm-backend.js";

export type {
  AttentionOptions,
  ComputeBackend,
  ComputeBackendKind,
  ComputeBackendOptions,
} from "./compute-backend.js";
export { createWasmBackend, type WasmBackend, type WasmBackendOptions } from "./wasm-backend.js";

/** Creates the kernel backend the runtime computes with: WebAssembly SIMD on all cores unless told otherwise. */
export async function createComputeBackend(opts: ComputeBackendOptions = {}): Promise<ComputeBackend> {
  const kind = opts.kind ?? "wasm";
  switch (kind) {
    case "js":
      return createJsBackend();
    case "wasm":
      return createWasmBackend({ threads: opts.threads });
    default:
      throw new RangeError(`createComputeBackend: unknown kind ${String(kind)}`);
  }
}
