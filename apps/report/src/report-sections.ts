import { correlationChart } from "./charts/correlation-chart.js";
import { doseResponseChart } from "./charts/dose-response-chart.js";
import { eloChart } from "./charts/elo-chart.js";
import { emotionPcaChart } from "./charts/emotion-pca-chart.js";
import { intransitiveTriadsChart } from "./charts/intransitive-triads-chart.js";
import { layerSweepChart } from "./charts/layer-sweep-chart.js";
import { offLabelMassChart } from "./charts/off-label-mass-chart.js";
import { positionBiasChart } from "./charts/position-bias-chart.js";
import { probeEloScatterChart } from "./charts/probe-elo-scatter-chart.js";
import { rVsValenceChart } from "./charts/r-vs-valence-chart.js";
import { refusalsChart } from "./charts/refusals-chart.js";
import { robustnessChart } from "./charts/robustness-chart.js";
import { shiftVsRChart } from "./charts/shift-vs-r-chart.js";
import { steeringShiftChart } from "./charts/steering-shift-chart.js";
import { winMatrixChart } from "./charts/win-matrix-chart.js";
import type { ReportChart } from "./report-chart.js";
import type { RunArtifacts } from "./run-artifacts.js";

export interface ReportSection {
  id: string;
  title: string;
  charts: ReportChart[];
}

const present = (charts: (ReportChart | null)[]): ReportChart[] =>
  charts.filter((c): c is ReportChart => c !== null);

/** The report's sections in reading order; a section whose artifacts are missing is left out. */
export function reportSections(artifacts: RunArtifacts, fdrAlpha: number): ReportSection[] {
  const { preferences, probes, correlations, vectors, steering, choices, robustness } = artifacts;
  const geometryLayer = correlations?.layer ?? vectors?.layers[0];
  const sections: ReportSection[] = [
    {
      id: "preferences",
      title: "Preferences",
      charts: preferences ? [eloChart(preferences), winMatrixChart(preferences)] : [],
    },
    {
      id: "correlation",
      title: "Probe scores vs preferences",
      charts: present([
        correlations ? correlationChart(correlations, fdrAlpha) : null,
        preferences && probes && correlations
          ? probeEloScatterChart(preferences, probes, correlations)
          : null,
      ]),
    },
    {
      id: "robustness",
      title: "Robustness of the correlation",
      charts: robustness ? present([robustnessChart(robustness)]) : [],
    },
    {
      id: "geometry",
      title: "Geometry of the emotion vectors",
      charts: present([
        vectors && geometryLayer !== undefined ? emotionPcaChart(vectors, geometryLayer) : null,
        correlations ? rVsValenceChart(correlations, vectors) : null,
      ]),
    },
    {
      id: "steering",
      title: "Steering (the causal test)",
      charts: steering
        ? present([
            steeringShiftChart(steering),
            shiftVsRChart(steering),
            doseResponseChart(steering),
            layerSweepChart(steering),
          ])
        : [],
    },
    {
      id: "diagnostics",
      title: "Diagnostics",
      charts: present([
        preferences ? positionBiasChart(preferences) : null,
        preferences ? refusalsChart(preferences) : null,
        choices ? offLabelMassChart(choices, preferences?.condition ?? "baseline") : null,
        preferences ? intransitiveTriadsChart(preferences) : null,
      ]),
    },
  ];
  return sections.filter((s) => s.charts.length > 0);
}
