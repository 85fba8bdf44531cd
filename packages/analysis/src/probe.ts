import {
  DEFAULT_PROBE_QUESTION,
  humanAssistantPrompt,
  type ProbeScores,
  PvaError,
  throwIfInterrupted,
} from "@pva/core";
import { tokenSpan } from "@pva/lm";
import { probePrompt } from "./probe-prompt.js";
import { type ActivationModel, residSite } from "./residual-activations.js";
import { unitRows } from "./unit-rows.js";
import type { EmotionVectors } from "./vectors.js";

export type ProbeReadout = "activity-tokens" | "final-token";

export interface ProbeOptions {
  /** Average over the activity's tokens (the study) or read the prompt's last token (a replication's choice). */
  readout?: ProbeReadout;
  /** Layers to score; default every layer the vectors have. */
  layers?: readonly number[];
  /** The probe prompt with one `{activity}` slot; default core's probe question in the raw Human/Assistant frame. */
  template?: string;
  onProgress?: (p: { done: number; total: number }) => void;
  /** Checked before each activity: once it fires, the one in flight finishes and InterruptedError is thrown. */
  signal?: AbortSignal;
}

/**
 * Probe scores: for each activity and emotion, the projection of the residual stream on the unit
 * emotion vector, averaged over the activity's tokens in the probe prompt (or taken at its final
 * token), per layer.
 */
export async function probeScores(
  model: ActivationModel,
  vectors: EmotionVectors,
  activities: readonly { id: string; text: string }[],
  opts: ProbeOptions = {},
): Promise<ProbeScores> {
  const readout = opts.readout ?? "activity-tokens";
  const template = opts.template ?? humanAssistantPrompt(DEFAULT_PROBE_QUESTION);
  const layers = opts.layers ? [...opts.layers] : [...vectors.meta.layers];
  const hidden = model.config.hiddenSize;
  if (vectors.meta.hiddenSize !== hidden)
    throw new PvaError(
      `vectors: hiddenSize ${vectors.meta.hiddenSize} does not match the model's ${hidden} (vectors from ${vectors.meta.model})`,
      "E_VECTOR_MODEL_MISMATCH",
    );
  const units = new Map(
    layers.map((layer) => {
      const matrix = vectors.vectors.get(layer);
      if (!matrix)
        throw new PvaError(
          `vectors: no vectors for layer ${layer} (have ${vectors.meta.layers.join(", ")})`,
          "E_LAYER",
        );
      return [layer, unitRows(matrix, hidden)];
    }),
  );
  const sites = layers.map(residSite);
  const scores = layers.map(() => [] as number[][]);
  for (const [a, activity] of activities.entries()) {
    throwIfInterrupted(opts.signal, "probe");
    const prompt = probePrompt(template, activity.text);
    const { ids, offsets } = model.tokenizer.encodeWithOffsets(prompt.text);
    const positions =
      readout === "final-token"
        ? { start: ids.length - 1, end: ids.length }
        : tokenSpan(offsets, prompt.span);
    const { captures } = await model.forward(ids, { capture: sites, logits: "none" });
    layers.forEach((layer, k) => {
      const rows = captures.get(sites[k]);
      if (!rows) throw new Error(`model returned no capture for ${sites[k]}`);
      // Projection is linear, so the mean projection is the projection of the mean residual.
      const mean = new Float64Array(hidden);
      for (let p = positions.start; p < positions.end; p++)
        for (let h = 0; h < hidden; h++) mean[h] += rows[p * hidden + h];
      const count = positions.end - positions.start;
      scores[k].push(
        units.get(layer)!.map((u) => {
          let dot = 0;
          for (let h = 0; h < hidden; h++) dot += mean[h] * u[h];
          return dot / count;
        }),
      );
    });
    opts.onProgress?.({ done: a + 1, total: activities.length });
  }
  return {
    model: model.id,
    readout,
    template,
    emotions: [...vectors.meta.emotions],
    activities: activities.map((a) => a.id),
    layers: layers.map((layer, k) => ({ layer, scores: scores[k] })),
  };
}
