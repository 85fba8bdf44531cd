// Entry point of the WebAssembly module built by assembly/build.mjs: the kernels, and the job
// protocol through which worker threads share them. All addresses are byte offsets into the
// imported shared memory, whose allocation the JavaScript side manages.

export { siluMul } from "./activations";
export { attentionRows } from "./attention";
export { decodeRows } from "./decode";
export {
  currentGeneration,
  postAttention,
  postMatmul,
  postQuit,
  postSiluMul,
  waitForJob,
  workerStep,
  workOnJob,
} from "./jobs";
export { matmulColumns } from "./matmul";
export { matmulQ8_0Int, quantizeRowsQ8 } from "./matmul-int8";

import { PANEL } from "./matmul";

/** Weight rows a thread decodes at a time: its scratch must hold panelRows() * inDim floats. */
export function panelRows(): i32 {
  return PANEL;
}

/** End of the module's static data (Mathf.exp's tables): the JavaScript heap must start above it. */
export function staticDataEnd(): usize {
  return __heap_base;
}
