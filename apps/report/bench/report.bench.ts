/**
 * Renders the full report (171 emotions x 64 activities, steering and diagnostics included) and
 * prints the seconds renderReport takes: reading and validating the artifacts, 14 charts as SVG
 * and PNG, the page and the summary. The fixture is written first and not timed. The last line is
 * JSON for scripts: {"seconds": ...}.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderReport } from "../src/index.js";
import { writeRunFixture } from "../test/run-fixture.js";

const dir = await mkdtemp(join(tmpdir(), "pva-report-bench-"));
try {
  await writeRunFixture(dir, { resamples: 1000 });
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const report = await renderReport(dir);
  const seconds = (performance.now() - start) / 1000;
  // CPU time (all threads) tells a slow machine from a busy one when the wall time misses the goal.
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `rendered ${report.charts.length} chart files and the page in ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU (goal: under 5 s)`,
  );
  console.log(JSON.stringify({ seconds: Number(seconds.toFixed(3)) }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
