// Entry point of the WebAssembly module built by assembly/build.mjs: the kernels, and the job
// protocol through which worker threads share them. All addresses are byte offsets into the
// imported shared memory, whose allocation the JavaScript side manages.

export { siluMul } from "./activations";
export { attentionRows } from "./attention";
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

/** End of the module's static data (Mathf.exp's tables): the JavaScript heap must start above it. */
export function staticDataEnd(): usize {
  return __heap_base;
}
