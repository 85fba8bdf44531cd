import { defineConfig } from "tsup";

export default defineConfig({
  // The worker of writeRandomGguf is its own file, which the bundle starts by URL.
  entry: ["src/index.ts", "src/random-gguf-worker.ts"],
  format: ["esm"],
  dts: true,
  // Keep the kernels assembly/build.mjs compiles after tsup, so a rebuild never leaves a moment
  // without them for tests that are running meanwhile.
  clean: ["!*.wasm"],
  sourcemap: true,
  target: "node20",
});
