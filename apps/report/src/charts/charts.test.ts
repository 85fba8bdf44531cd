import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACTIVITY_CATEGORIES, EMOTION_CLUSTERS } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeRunFixture } from "../../test/run-fixture.js";
import { chartSvg } from "../chart-images.js";
import type { ReportChart } from "../report-chart.js";
import { reportSections } from "../report-sections.js";
import { loadRunArtifacts, type RunArtifacts } from "../run-artifacts.js";
import { correlationChart } from "./correlation-chart.js";
import { doseResponseChart } from "./dose-response-chart.js";
import { eloChart } from "./elo-chart.js";
import { emotionPcaChart } from "./emotion-pca-chart.js";
import { intransitiveTriadsChart } from "./intransitive-triads-chart.js";
import { offLabelMassChart } from "./off-label-mass-chart.js";
import { positionBiasChart } from "./position-bias-chart.js";
import { probeEloScatterChart } from "./probe-elo-scatter-chart.js";
import { refusalsChart } from "./refusals-chart.js";
import { robustnessChart } from "./robustness-chart.js";
import { shiftVsRChart } from "./shift-vs-r-chart.js";
import { steeringShiftChart } from "./steering-shift-chart.js";
import { winMatrixChart } from "./win-matrix-chart.js";

let dir: string;
let run: RunArtifacts;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-report-charts-"));
  await writeRunFixture(dir, { resamples: 50 });
  run = await loadRunArtifacts(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Every `field` an encoding, sort or transform names, anywhere in the spec. */
function fieldsOf(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) fieldsOf(item, into);
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "data") continue;
      if ((key === "field" || key === "on" || key === "regression") && typeof value === "string")
        into.add(value);
      else if (key === "groupby" && Array.isArray(value)) for (const v of value) into.add(String(v));
      else fieldsOf(value, into);
    }
  }
  return into;
}

/** The first layer (or the single view) whose mark is `type` and that plots a data field (not a reference line). */
function layerWithMark(chart: ReportChart, type: string): Record<string, unknown> {
  const spec = chart.spec as unknown as Record<string, unknown>;
  const inner = (spec.spec as Record<string, unknown> | undefined) ?? spec;
  const views = (inner.layer as Record<string, unknown>[] | undefined) ?? [inner];
  const view = views.find((v) => {
    const mark = v.mark as string | { type: string } | undefined;
    const encoding = (v.encoding ?? {}) as Record<string, { field?: string }>;
    const plotsData = Object.values(encoding).some((channel) => typeof channel?.field === "string");
    return (typeof mark === "string" ? mark : mark?.type) === type && plotsData;
  });
  if (!view) throw new Error(`no ${type} mark in ${chart.id}`);
  return view.encoding as Record<string, unknown>;
}

describe("chart specs", () => {
  it("every field a spec uses is a column of its rows, and the rows are inlined", () => {
    const charts = reportSections(run, 0.05).flatMap((s) => s.charts);
    expect(charts.map((c) => c.id)).toEqual([
      "elo",
      "win-matrix",
      "correlation",
      "probe-vs-elo",
      "robustness",
      "emotion-pca",
      "r-vs-valence",
      "steering-shift",
      "shift-vs-r",
      "dose-response",
      "layer-sweep",
      "position-bias",
      "refusals",
      "off-label-mass",
      "intransitive-triads",
    ]);
    for (const chart of charts) {
      const columns = new Set(chart.rows.flatMap((r) => Object.keys(r)));
      expect(chart.rows.length, chart.id).toBeGreaterThan(0);
      for (const field of fieldsOf(chart.spec)) expect(columns, `${chart.id}: ${field}`).toContain(field);
      expect((chart.spec as { data: { values: unknown } }).data.values, chart.id).toBe(chart.rows);
      expect(chart.id).toMatch(/^[a-z][a-z-]*$/);
      // Vega-Lite turns a sort array into an expression, where user text could break it.
      expect(JSON.stringify(chart.spec), chart.id).not.toMatch(/"sort":\[/);
    }
  });

  it("robustness: the reported setting first, two ends per setting, the significant count beside", () => {
    const chart = robustnessChart(run.robustness!)!;
    const settings = run.robustness!.settings;
    expect(chart.rows).toHaveLength(2 * settings.length);
    expect(chart.rows[0]).toMatchObject({ rank: 1, id: "reported", end: "top" });
    for (const [i, s] of settings.entries()) {
      const [top, bottom] = chart.rows.slice(2 * i, 2 * i + 2);
      expect(top.emotion).toBe(s.top!.emotion);
      expect(bottom.emotion).toBe(s.bottom!.emotion);
      expect(top.r as number).toBeGreaterThanOrEqual(bottom.r as number);
      expect(top.significant).toBe(`${s.significant} of ${s.emotions}`);
    }
    // The reported row is correlations.json's own extremes.
    const byR = [...run.correlations!.emotions].sort((a, b) => b.pearson - a.pearson);
    expect(settings[0].top!.emotion).toBe(byR[0].emotion);
    expect(settings[0].bottom!.emotion).toBe(byR.at(-1)!.emotion);
    expect(chart.caption).toContain("BH q < 0.05");
  });

  it("Elo: one row per activity, best first, interval around the estimate, coloured by category", () => {
    const chart = eloChart(run.preferences!);
    expect(chart.rows).toHaveLength(64);
    const elos = chart.rows.map((r) => r.elo as number);
    expect(elos).toEqual([...elos].sort((a, b) => b - a));
    for (const r of chart.rows) {
      expect(r.eloLow as number).toBeLessThanOrEqual(r.elo as number);
      expect(r.eloHigh as number).toBeGreaterThanOrEqual(r.elo as number);
    }
    const rule = layerWithMark(chart, "rule") as Record<
      string,
      { field?: string; sort?: unknown; scale?: { domain: unknown } }
    >;
    expect(rule.x.field).toBe("eloLow");
    expect(rule.x2.field).toBe("eloHigh");
    expect(rule.y.sort).toEqual({ field: "rank", op: "min" });
    expect(chart.rows.map((r) => r.rank)).toEqual(chart.rows.map((_, i) => i + 1));
    expect(rule.color.field).toBe("category");
    expect(rule.color.scale?.domain).toEqual([...ACTIVITY_CATEGORIES]);
  });

  it("win matrix: every compared ordered pair, axes in Elo order, diverging at 0.5", () => {
    const chart = winMatrixChart(run.preferences!);
    const compared = run.preferences!.winMatrix.p.flat().filter((p) => p !== null).length;
    expect(compared).toBeGreaterThan(64 * 60);
    expect(chart.rows).toHaveLength(compared);
    const enc = layerWithMark(chart, "rect") as Record<
      string,
      { sort?: unknown; scale?: Record<string, unknown> }
    >;
    expect(enc.x.sort).toEqual({ field: "columnRank", op: "min" });
    expect(enc.y.sort).toEqual({ field: "rowRank", op: "min" });
    const elo = eloChart(run.preferences!).rows;
    expect(chart.rows.find((r) => r.rowRank === 1)?.row).toBe(elo[0].id);
    expect(chart.rows.find((r) => r.columnRank === 64)?.column).toBe(elo[63].id);
    expect(enc.color.scale).toMatchObject({ domain: [0, 1], domainMid: 0.5 });
    const pair = chart.rows.find((r) => r.rowRank === 1 && r.columnRank === 64);
    expect(pair?.p as number).toBeGreaterThan(0.5);
  });

  it("Figure 4 names the emotions with no defined correlation and counts only the tested ones", () => {
    const [flat, ...rest] = run.correlations!.emotions;
    const plain = correlationChart(run.correlations!, 0.05);
    expect(plain.caption).toContain("over 171 emotions");
    expect(plain.caption).not.toContain("No correlation is defined");
    const noted = { ...flat, pearson: 0, note: "probe score is constant across activities: no correlation" };
    const chart = correlationChart({ ...run.correlations!, emotions: [noted, ...rest] }, 0.05);
    expect(chart.caption).toContain("over 170 emotions");
    expect(chart.caption).toContain(
      `No correlation is defined for "${flat.emotion}" (probe score or Elo constant across activities): drawn at r = 0.`,
    );
  });

  it("Figure 4: all emotions sorted by r, CI rules, FDR marked by opacity, coloured by cluster", () => {
    const chart = correlationChart(run.correlations!, 0.05);
    expect(chart.rows).toHaveLength(171);
    const rs = chart.rows.map((r) => r.pearson as number);
    expect(rs).toEqual([...rs].sort((a, b) => b - a));
    const significant = chart.rows.filter((r) => r.significant === "q < 0.05");
    expect(significant.length).toBe(run.correlations!.emotions.filter((e) => e.q < 0.05).length);
    expect(significant.length).toBeGreaterThan(0);
    expect(significant.length).toBeLessThan(171);
    const bar = layerWithMark(chart, "bar") as Record<
      string,
      { field?: string; scale?: Record<string, unknown> }
    >;
    expect(bar.y.field).toBe("pearson");
    expect(bar.color.field).toBe("cluster");
    expect(bar.color.scale?.domain).toEqual([...EMOTION_CLUSTERS]);
    expect(bar.opacity).toMatchObject({ field: "significant", scale: { range: [1, 0.3] } });
    const rule = layerWithMark(chart, "rule") as Record<string, { field?: string }>;
    expect([rule.y.field, rule.y2.field]).toEqual(["low", "high"]);
  });

  it("probe vs Elo: the top and bottom emotion, 64 points each, a regression line per panel", () => {
    const chart = probeEloScatterChart(run.preferences!, run.probes!, run.correlations!)!;
    const byR = [...run.correlations!.emotions].sort((a, b) => b.pearson - a.pearson);
    expect([...new Set(chart.rows.map((r) => r.emotion))]).toEqual([byR[0].emotion, byR[170].emotion]);
    expect(chart.rows).toHaveLength(128);
    const spec = chart.spec as {
      spec: { layer: { transform?: unknown[]; encoding: { tooltip?: { field: string }[] } }[] };
    };
    expect(spec.spec.layer[1].transform).toEqual([{ regression: "elo", on: "probe", groupby: ["panel"] }]);
    expect(spec.spec.layer[0].encoding.tooltip?.[0].field).toBe("text");
  });

  it("per-activity charts show every activity text whole, on two lines; the win matrix every id", async () => {
    const texts = run.preferences!.activities.map((a) => a.text).sort();
    const ids = run.preferences!.activities.map((a) => a.id).sort();
    // What the PNG draws: each label's lines, joined again.
    const labels = (svg: string) =>
      [...svg.matchAll(/<text[^>]*>((?:<tspan[^>]*>[^<]*<\/tspan>)+|[^<]*)<\/text>/g)].map((m) =>
        m[1].replace(/<\/tspan><tspan[^>]*>/g, " ").replace(/<\/?tspan[^>]*>/g, ""),
      );
    const elo = labels(await chartSvg(eloChart(run.preferences!).spec));
    expect(texts.filter((t) => !elo.includes(t))).toEqual([]);
    const matrix = labels(await chartSvg(winMatrixChart(run.preferences!).spec));
    expect(ids.filter((id) => matrix.filter((l) => l === id).length !== 2)).toEqual([]);
  });

  it("PCA: one point per emotion, axes titled with the variance shares", () => {
    const chart = emotionPcaChart(run.vectors!, 4)!;
    expect(chart.rows).toHaveLength(171);
    const share = run.vectors!.geometry["4"].pcShares[0];
    const point = layerWithMark(chart, "point") as Record<string, { title?: string }>;
    expect(point.x.title).toBe(`PC1 (${(share * 100).toFixed(1)}% of variance)`);
    expect(chart.rows.filter((r) => r.label !== "").length).toBeGreaterThanOrEqual(6);
    expect(emotionPcaChart(run.vectors!, 99)).toBeNull();
  });

  it("steering: shifts with intervals, shift vs r, dose-response over 3 strengths", () => {
    const steering = run.steering!;
    const shift = steeringShiftChart(steering)!;
    expect(shift.rows).toHaveLength(steering.summary.length);
    // Only the steered emotions' clusters are listed, each in the colour it has in Figure 4.
    type Scale = { domain: string[]; range: string[] };
    const colours = (layer: Record<string, unknown>) => {
      const { domain, range } = (layer.color as { scale: Scale }).scale;
      return new Map(domain.map((cluster, i) => [cluster, range[i]]));
    };
    const steered = colours(layerWithMark(shift, "point"));
    const all = colours(layerWithMark(correlationChart(run.correlations!, 0.05), "bar"));
    expect([...steered.keys()]).toEqual(
      EMOTION_CLUSTERS.filter((c) => shift.rows.some((r) => r.cluster === c)),
    );
    expect(steered.size).toBeLessThan(all.size);
    for (const [cluster, colour] of steered) expect(colour, cluster).toBe(all.get(cluster));
    const shiftVsR = shiftVsRChart(steering)!;
    expect(shiftVsR.caption).toContain(`r = ${steering.shiftVsR!.r.toFixed(2)}`);
    // the fitted line the caption names is drawn, and every steered emotion is named at its point
    expect(shiftVsR.caption).toContain("line: least-squares fit");
    const layers = (shiftVsR.spec as { layer: { transform?: unknown[]; mark: { type: string } }[] }).layer;
    expect(layers.some((l) => JSON.stringify(l.transform ?? []).includes('"regression":"shift"'))).toBe(true);
    expect(shiftVsR.rows.map((r) => r.label)).toEqual(shiftVsR.rows.map((r) => r.emotion));
    const two = shiftVsRChart({ ...steering, summary: steering.summary.slice(0, 2) })!;
    expect(two.caption).not.toContain("line: least-squares fit");
    expect(JSON.stringify(two.spec)).not.toContain("regression");
    const dose = doseResponseChart(steering)!;
    expect(new Set(dose.rows.map((r) => r.strength))).toEqual(new Set([0.25, 0.5, 1]));
    expect(
      doseResponseChart({
        ...steering,
        doseResponse: steering.doseResponse.filter((d) => d.strength === 0.5),
      }),
    ).toBeNull();
  });

  it("intransitive triads: each activity's share from the counts in preferences.json, highest first", () => {
    const prefs = run.preferences!;
    // Hand-set counts: the chart shows what prefs counted, it does not count again.
    const counts = [
      { decided: 4, cyclic: 1 },
      { decided: 10, cyclic: 5 },
      { decided: 0, cyclic: 0 },
    ];
    const withCounts = {
      ...prefs,
      activities: prefs.activities.map((a, i) => ({ ...a, triads: counts[i] ?? { decided: 8, cyclic: 0 } })),
    };
    const rows = intransitiveTriadsChart(withCounts)!.rows;
    expect(rows).toHaveLength(prefs.activities.length);
    expect(rows.slice(0, 2).map((r) => [r.id, r.triads, r.cyclic, r.share])).toEqual([
      [prefs.activities[1].id, 10, 5, 0.5],
      [prefs.activities[0].id, 4, 1, 0.25],
    ]);
    expect(rows.find((r) => r.id === prefs.activities[2].id)!.share).toBe(0);
    // A preferences.json from before prefs counted triads per activity has none to chart.
    const older = { ...prefs, activities: prefs.activities.map(({ triads: _t, ...a }) => a) };
    expect(intransitiveTriadsChart(older)).toBeNull();
  });

  it("diagnostics: position bias around 0.5, refusals only where there were any, off-label histogram", () => {
    const bias = positionBiasChart(run.preferences!);
    const bar = layerWithMark(bias, "bar") as Record<string, { datum?: number }>;
    expect(bar.x2.datum).toBe(0.5);
    const refusals = refusalsChart(run.preferences!)!;
    const total = refusals.rows
      .filter((r) => r.kind === "refusal")
      .reduce((s, r) => s + (r.count as number), 0);
    expect(total).toBe(run.choices!.filter((c) => c.choice === "refusal").length * 2);
    expect(
      refusalsChart({
        ...run.preferences!,
        activities: run.preferences!.activities.map((a) => ({ ...a, refusals: 0, unparseable: 0 })),
      }),
    ).toBeNull();
    const mass = offLabelMassChart(run.choices!, "baseline")!;
    expect(mass.rows).toHaveLength(40);
    expect(mass.rows.reduce((s, r) => s + (r.answers as number), 0)).toBe(run.choices!.length);
    // A steered condition's answers, in the same file, are not the baseline's diagnostics.
    const steered = run
      .choices!.slice(0, 100)
      .map((c) => ({ ...c, condition: "steer-blissful", offLabelMass: 0.9 }));
    const withSteered = offLabelMassChart([...run.choices!, ...steered], "baseline")!;
    expect(withSteered.rows).toEqual(mass.rows);
    expect(offLabelMassChart(run.choices!, "steer-blissful")).toBeNull();
  });
});
