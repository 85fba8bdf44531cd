import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  // Keep the kernels assembly/build.mjs compiles after tsup, so a rebuild never leaves a moment
  // without them for tests that are running meanwhile.
  clean: ["!*.wasm"],
  sourcemap: true,
  target: "node20",
});
