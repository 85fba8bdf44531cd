import { execFile } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// The tests beside this one load the kernels from src/; a user loads the bundle in dist/. The
// worker threads and the wasm files must be found from both (turbo builds dist before tests).
describe("wasm backend from the published bundle", () => {
  it("starts its worker threads and multiplies from dist/index.js in a plain Node process", async () => {
    const bundle = pathToFileURL(fileURLToPath(new URL("../../dist/index.js", import.meta.url))).href;
    // 8 x 64 times 64 x 512 is above the size at which the workers share the work.
    const script = `
      const { createWasmBackend } = await import(${JSON.stringify(bundle)});
      const backend = await createWasmBackend({ threads: 2 });
      const [rows, inDim, outDim] = [8, 64, 512];
      const x = backend.allocF32(rows * inDim).fill(0.5);
      const w = backend.allocF32(outDim * inDim).fill(0.25);
      const out = backend.allocF32(rows * outDim);
      await backend.matmul(out, x, { type: "f32", rows: outDim, cols: inDim, data: new Uint8Array(w.buffer, w.byteOffset, w.byteLength) }, rows);
      console.log(JSON.stringify({ kind: backend.kind, threads: backend.threads, values: [...new Set(out)] }));
      await backend.dispose();`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
    // Every output is 64 * 0.5 * 0.25 = 8.
    expect(JSON.parse(stdout)).toEqual({ kind: "wasm", threads: 2, values: [8] });
  });
});
