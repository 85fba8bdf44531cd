import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeRunFixture } from "../test/run-fixture.js";
import { renderReport } from "./render-report.js";
import { reportSections } from "./report-sections.js";
import { loadRunArtifacts } from "./run-artifacts.js";

const XSS = "<img src=x onerror=alert(1)>";
// Tries to end a JSON string inside the spec or a vega expression built from an explicit sort.
const BREAKOUT = '"]); alert(2); (["\\\u2028</script>';
let dir: string;
let full: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-report-render-"));
  full = join(dir, "full");
  await writeRunFixture(full, {
    resamples: 50,
    texts: { "helpful-explain-science": XSS, "social-chat-about-day": BREAKOUT },
  });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function snapshot(reportDir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of ["index.html", "summary.md"]) files.set(name, await readFile(join(reportDir, name)));
  for (const name of (await readdir(join(reportDir, "charts"))).sort())
    files.set(`charts/${name}`, await readFile(join(reportDir, "charts", name)));
  return files;
}

describe("renderReport", () => {
  it("writes the page, an SVG and a PNG per chart and the summary, byte-identical on a second render", async () => {
    const first = await renderReport(full);
    expect(first.html).toBe(join(full, "report", "index.html"));
    expect(first.charts).toHaveLength(30);
    const before = await snapshot(join(full, "report"));
    const png = before.get("charts/elo.png")!;
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(before.get("charts/elo.svg")!.toString()).toMatch(/^<svg/);
    // An image file carries its chart's title, as the page's heading does not travel with it.
    for (const chart of reportSections(await loadRunArtifacts(full), 0.05).flatMap((s) => s.charts))
      expect(before.get(`charts/${chart.id}.svg`)!.toString(), chart.id).toContain(`>${chart.title}</text>`);
    // A second render into another folder must produce exactly the same bytes.
    const again = await renderReport(full, { outDir: join(dir, "again") });
    const after = await snapshot(join(dir, "again"));
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [name, bytes] of before) expect(after.get(name)?.equals(bytes), name).toBe(true);
    expect(again.charts.map((c) => c.slice(join(dir, "again").length))).toEqual(
      first.charts.map((c) => c.slice(join(full, "report").length)),
    );
  });

  it("leaves the manifest's createdAt out, so two runs of one study render the same page", async () => {
    const manifestFile = join(full, "manifest.json");
    const original = await readFile(manifestFile, "utf8");
    const manifest = JSON.parse(original) as { createdAt: string };
    expect(original).toContain(manifest.createdAt);
    const first = await readFile((await renderReport(full, { outDir: join(dir, "t1"), png: false })).html);
    await writeFile(manifestFile, JSON.stringify({ ...manifest, createdAt: "2030-01-02T03:04:05.000Z" }));
    try {
      const second = await readFile((await renderReport(full, { outDir: join(dir, "t2"), png: false })).html);
      expect(second.equals(first)).toBe(true);
      expect(second.toString()).not.toContain("2030-01-02");
      expect(second.toString()).not.toContain(manifest.createdAt);
    } finally {
      await writeFile(manifestFile, original);
    }
  });

  it("shows the XSS payload only as escaped text in the page, the SVGs and the summary", async () => {
    const files = await snapshot(join(full, "report"));
    const raw = files.get("index.html")!.toString();
    // Every </script> closes a script element the page opened: none comes from the data.
    expect(raw.split("</script>").length).toBe(raw.split("<script").length);
    expect(raw).toContain('alert(2); ([\\"\\\\\\u2028\\u003c/script\\u003e');
    // The inlined vega libraries are the only plain <script> elements; they contain markup of their own.
    const html = files
      .get("index.html")!
      .toString()
      .replace(/<script>[\s\S]*?<\/script>/g, "");
    // The payload must not appear as markup anywhere: only as &lt;img, \u003cimg or %3Cimg.
    expect(html).not.toContain("<img");
    expect(html).toContain("\\u003cimg src=x onerror=alert(1)\\u003e");
    expect(html).toContain(encodeURIComponent(XSS));
    for (const [name, bytes] of files)
      if (name.endsWith(".svg")) expect(bytes.toString(), name).not.toContain("<img");
    expect(files.get("charts/elo.svg")!.toString()).toContain("&lt;img src=x onerror=alert(1)&gt;");
    const summary = files.get("summary.md")!.toString();
    expect(summary).not.toContain("<img");
    // Escapes are for the user's markup only: the report's own words and numbers read as written.
    expect(summary.replaceAll("&lt;img src=x onerror=alert(1)>", "")).not.toMatch(/\\|&lt;|&gt;|&amp;/);
    expect(summary).toMatch(/95% CI \[-?\d/);
    expect(summary).not.toMatch(/(^|[^\w.])-0(\.0+)?(?![\d.])/m);
  });

  it("opens with a loud banner for a builtin random model, then a main finding that claims nothing; the manifest closes it", async () => {
    const html = (await readFile(join(full, "report", "index.html"), "utf8")).replace(
      /<script>[\s\S]*?<\/script>/g,
      "",
    );
    const banner = html.indexOf('class="banner"');
    const finding = html.indexOf("Main finding: none: the model has random weights");
    expect(html).not.toContain("Main finding: the emotion probes track");
    const manifest = html.indexOf('<section id="manifest">');
    expect(banner).toBeGreaterThan(0);
    expect(finding).toBeGreaterThan(banner);
    expect(manifest).toBeGreaterThan(html.indexOf('<section id="diagnostics">'));
    expect(html).toContain("<th>config hash</th>");
    expect(html).toMatch(/\d+ comparisons over 64 activities/);
    expect(html).toContain("Content-Security-Policy");
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it("renders a partial run (preferences only) with its sections and no banner from a real model id", async () => {
    const partial = join(dir, "partial");
    await writeRunFixture(partial, { resamples: 20, parts: ["preferences"], model: "hf:org/real-model" });
    const result = await renderReport(partial, { png: false });
    expect(result.charts.map((c) => c.slice(join(partial, "report", "charts").length + 1))).toEqual([
      "elo.svg",
      "win-matrix.svg",
      "position-bias.svg",
      "refusals.svg",
      "intransitive-triads.svg",
    ]);
    const html = await readFile(result.html, "utf8");
    expect(html).not.toContain('class="banner"');
    expect(html).toContain("Main finding: ");
    expect(html).toContain("This run folder has no manifest.json.");
    expect(html).toContain(
      "Not in this run folder, so left out: the run manifest (manifest.json); the raw answers (choices.jsonl); emotion vectors (vectors.json); probe scores (probes.json); correlations (correlations.json); the robustness panel (robustness.json); steering (steering.json).",
    );
    expect(await readFile(result.summary, "utf8")).toContain(
      "![Preference (Elo) per activity](charts/elo.png)",
    );
  });
});
