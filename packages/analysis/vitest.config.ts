import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Hang guards, not speed checks: on a machine busy with other work a test that spawns pva or
    // renders the full report runs several times slower than alone, and must still pass.
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
