/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks passed to page.evaluate run in the browser, hence the DOM types.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../src/render-report.js";
import { writeRunFixture } from "./run-fixture.js";

// Debian's Chromium by default; PVA_CHROMIUM points at another Chromium or Chrome binary.
const CHROMIUM = process.env.PVA_CHROMIUM ?? "/usr/bin/chromium";
const XSS = "<img src=x onerror=alert(1)>";
// Tries to end a JSON string inside the spec or a vega expression built from an explicit sort.
const BREAKOUT = '"]); alert(2); (["\\\u2028</script>';
const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "test-output");
const hasChromium = existsSync(CHROMIUM);
const inCi = process.env.CI !== undefined && !["", "0", "false"].includes(process.env.CI);
// A developer machine without Chromium skips, loudly; CI must have it (.ci/run installs it).
if (!hasChromium && !inCi)
  console.warn(
    `report browser test SKIPPED: no Chromium at ${CHROMIUM}. Install it (Debian/Ubuntu: apt-get install -y chromium) or set PVA_CHROMIUM to a Chromium or Chrome binary; with CI=true this test fails instead of skipping`,
  );

describe.skipIf(!hasChromium && !inCi)("the report in headless Chromium", () => {
  let dir: string;
  let browser: Browser;
  let html: string;

  beforeAll(async () => {
    if (!hasChromium)
      throw new Error(
        `CI is set but there is no Chromium at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set PVA_CHROMIUM`,
      );
    dir = await mkdtemp(join(tmpdir(), "pva-report-browser-"));
    await writeRunFixture(dir, {
      resamples: 50,
      texts: { "helpful-explain-science": XSS, "social-chat-about-day": BREAKOUT },
    });
    html = (await renderReport(dir, { png: false })).html;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("draws every chart with marks offline, logs no error, and runs no injected markup", async () => {
    // A 1280 px laptop window: the page must fit it, every chart inside its own box.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Playwright's own 30 s limits would fail a test that is merely slow on a busy machine.
    page.setDefaultTimeout(0);
    const requested: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      requested.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    const dialogs: string[] = [];
    page.on("dialog", async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });

    await page.goto(pathToFileURL(html).href);
    const holders = page.locator("div.chart[data-spec]");
    const count = await holders.count();
    expect(count).toBe(15);
    // vega-embed draws asynchronously: wait until every holder has an SVG with data marks.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("div.chart[data-spec]")].every(
          (holder) => holder.querySelectorAll("svg g.role-mark > *, canvas").length > 0,
        ),
      undefined,
      { timeout: 0 }, // no limit of its own: the test's hang guard applies
    );
    const marks = await holders.evaluateAll((all) =>
      all.map((holder) => ({
        spec: (holder as HTMLElement).dataset.spec,
        svgs: holder.querySelectorAll(":scope > .chart-wrapper > svg, :scope > svg").length,
        marks: holder.querySelectorAll("svg g.role-mark > *").length,
      })),
    );
    for (const chart of marks) {
      expect(chart.svgs, chart.spec).toBe(1);
      expect(chart.marks, chart.spec).toBeGreaterThan(0);
    }
    const winMatrix = marks.find((m) => m.spec === "spec-win-matrix");
    expect(winMatrix?.marks).toBeGreaterThan(64 * 60);

    // At full size (64 activities, 171 emotions) nothing is wider than the window or its container.
    const layout = await page.evaluate(() => ({
      pageWidth: document.documentElement.scrollWidth,
      windowWidth: document.documentElement.clientWidth,
      charts: [...document.querySelectorAll("div.chart[data-spec]")].map((holder) => ({
        spec: (holder as HTMLElement).dataset.spec,
        chart: Math.ceil(holder.querySelector("svg")!.getBoundingClientRect().width),
        container: holder.clientWidth,
        right: Math.ceil(holder.getBoundingClientRect().right),
      })),
    }));
    expect(layout.pageWidth).toBeLessThanOrEqual(layout.windowWidth);
    for (const chart of layout.charts) {
      expect(chart.chart, chart.spec).toBeLessThanOrEqual(chart.container);
      expect(chart.right, chart.spec).toBeLessThanOrEqual(layout.windowWidth);
    }

    // Hover the payload's point: the tooltip shows it as text.
    const point = page.locator('#chart-elo g.mark-symbol path[aria-label*="onerror"]');
    await point.hover({ force: true });
    const tooltip = page.locator("#vg-tooltip-element");
    await expect.poll(() => tooltip.textContent(), { timeout: 300_000 }).toContain(XSS);
    expect(await page.locator("img").count()).toBe(0);
    // The text that tries to break out of the spec's strings is drawn as an ordinary label.
    expect(await page.locator("#chart-elo svg.marks").textContent()).toContain('"]); alert(2);');
    expect(await page.locator("#summary").textContent()).toContain("Main finding");
    expect(await page.locator(".banner").textContent()).toContain("RANDOM model");

    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, "report.png"), fullPage: true });
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENSHOT_DIR, "report-top.png") });
    await page.locator("#chart-elo").screenshot({ path: join(SCREENSHOT_DIR, "elo-with-tooltip.png") });

    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requested).toEqual([]);
  });
});
