import {
  correlate,
  emotionVectors,
  loadEmotionVectors,
  probeScores,
  type RobustnessSettingName,
  rankedInputs,
  robustnessRow,
  withSequentialElo,
} from "@pva/analysis";
import {
  type CorrelationResult,
  CorrelationResultSchema,
  contentHash,
  humanAssistantPrompt,
  type PreferenceScores,
  PreferenceScoresSchema,
  type ProbeScores,
  ProbeScoresSchema,
  type RobustnessResult,
  RUN_FILES,
  readChoices,
  readJsonFile,
  throwIfInterrupted,
  writeJsonAtomic,
} from "@pva/core";
import { fitPreferences } from "@pva/prefs";
import { activationModel } from "./activation-model.js";
import type { PipelineContext } from "./pipeline-context.js";
import { hasInput } from "./stage-input.js";
import { studyCorpus } from "./study-corpus.js";

/** The Bradley-Terry priors the panel refits with (the study's default is 0.5). */
export const ROBUSTNESS_PRIORS = [0.1, 0.5, 2] as const;
/** The story token window's other start (the study's 50; ours defaults to 8). */
export const ROBUSTNESS_TOKEN_OFFSET = 50;
/** How far the vector layer moves either way. */
export const ROBUSTNESS_LAYER_SHIFT = 2;

/**
 * The robustness panel (`robustness.json`): the correlation's headline (top and bottom emotion's
 * r, and how many emotions pass FDR) under other reasonable choices. Always, from files already
 * there (no forward passes): Bradley-Terry priors 0.1 / 0.5 / 2 (refitted from the baseline
 * choices, point estimates only), sequential Elo instead of Bradley-Terry, Spearman instead of
 * Pearson. With `analysis.robustness` in the study, also the settings that cost forward passes:
 * the story token window starting at 50, the vector layer +-2, and the other probe readout.
 */
export async function robustnessStage(ctx: PipelineContext): Promise<void> {
  const { config, activities } = ctx.study;
  if (!(await hasInput(ctx, "robustness", RUN_FILES.correlations))) return;
  const optional = config.analysis.robustness ?? {
    tokenWindow: false,
    layerShift: false,
    probeReadout: false,
  };
  const inputs = contentHash({
    preferences: await ctx.folder.fileHash(RUN_FILES.preferences),
    probes: await ctx.folder.fileHash(RUN_FILES.probes),
    correlations: await ctx.folder.fileHash(RUN_FILES.correlations),
    vectors: await ctx.folder.fileHash(RUN_FILES.vectorsMeta),
    analysis: config.analysis,
    rating: config.rating,
    vectorsConfig: config.vectors,
    seed: config.seed,
  });
  if (await ctx.folder.finished("robustness", inputs)) {
    ctx.progress.line("robustness: up to date");
    return;
  }
  const preferences = await readJsonFile(ctx.folder.path(RUN_FILES.preferences), PreferenceScoresSchema);
  const probes = await readJsonFile(ctx.folder.path(RUN_FILES.probes), ProbeScoresSchema);
  const reported = await readJsonFile(ctx.folder.path(RUN_FILES.correlations), CorrelationResultSchema);
  const { fdrAlpha, permutations } = config.analysis;
  // The panel compares headlines: intervals are not drawn, so no bootstrap; the permutation p and
  // BH q are, with the study's permutations and seed, so "significant" means what it means above.
  const correlateWith = (prefs: PreferenceScores, probeScores: ProbeScores): CorrelationResult =>
    correlate(prefs, probeScores, { bootstrap: 0, permutations, seed: config.seed, layer: reported.layer });
  const row = (setting: RobustnessSettingName, correlations: CorrelationResult) =>
    robustnessRow(setting, correlations, fdrAlpha);

  const bar = ctx.progress.stage("robustness", "settings");
  const settings: RobustnessResult["settings"] = [];
  const add = (setting: RobustnessResult["settings"][number]) => {
    settings.push(setting);
    bar.update(settings.length, settings.length);
    throwIfInterrupted(ctx.signal, "robustness");
  };
  add(
    row(
      {
        id: "reported",
        label: `as reported (Bradley-Terry prior ${config.rating.prior}, Pearson)`,
        forwardPasses: false,
      },
      reported,
    ),
  );

  const baseline = (await readChoices(ctx.folder.path(RUN_FILES.choices))).records.filter(
    (r) => r.condition === "baseline",
  );
  for (const prior of ROBUSTNESS_PRIORS) {
    const refit = fitPreferences(baseline, activities, {
      bootstrap: 0,
      seed: config.seed,
      prior,
      refusalPolicy: config.elicitation.refusalPolicy,
    });
    add(
      row(
        { id: `bt-prior-${prior}`, label: `Bradley-Terry prior ${prior}`, forwardPasses: false },
        correlateWith(refit, probes),
      ),
    );
  }
  add(
    row(
      { id: "sequential-elo", label: "sequential Elo instead of Bradley-Terry", forwardPasses: false },
      correlateWith(withSequentialElo(preferences), probes),
    ),
  );
  const ranked = rankedInputs(preferences, probes);
  add(
    row(
      { id: "spearman", label: "Spearman instead of Pearson", forwardPasses: false },
      correlateWith(ranked.preferences, ranked.probes),
    ),
  );

  if (optional.tokenWindow || optional.layerShift || optional.probeReadout) {
    const model = await activationModel(ctx, "robustness");
    if (model !== null) {
      const template = humanAssistantPrompt(config.prompts.probe);
      const names = ctx.study.emotions.map((e) => e.name);
      const fromVectors = async (layers: number[], tokenOffset: number) => {
        const corpus = await studyCorpus(config.vectors.corpus);
        const vectors = await emotionVectors(model, corpus, {
          layers,
          tokenOffset,
          neutralVarianceShare: config.vectors.neutralVarianceShare,
          storiesPerEmotion: config.vectors.storiesPerEmotion,
          emotions: names,
          signal: ctx.signal,
        });
        return probeScores(model, vectors, activities, {
          readout: config.probe.readout,
          template,
          signal: ctx.signal,
        });
      };
      if (optional.tokenWindow) {
        const shifted = await fromVectors([reported.layer], ROBUSTNESS_TOKEN_OFFSET);
        add(
          row(
            {
              id: `token-offset-${ROBUSTNESS_TOKEN_OFFSET}`,
              label: `story tokens from ${ROBUSTNESS_TOKEN_OFFSET} on (not ${config.vectors.tokenOffset})`,
              forwardPasses: true,
            },
            correlateWith(preferences, shifted),
          ),
        );
      }
      if (optional.layerShift) {
        const layers = [
          reported.layer - ROBUSTNESS_LAYER_SHIFT,
          reported.layer + ROBUSTNESS_LAYER_SHIFT,
        ].filter((layer) => layer >= 0 && layer < model.config.numLayers);
        const shifted = await fromVectors(layers, config.vectors.tokenOffset);
        for (const layer of layers)
          add(
            row(
              {
                // "layer-2" / "layer+2": the shift from the reported layer.
                id: `layer${layer > reported.layer ? "+" : ""}${layer - reported.layer}`,
                label: `vectors and probes at layer ${layer} (not ${reported.layer})`,
                forwardPasses: true,
              },
              correlate(preferences, shifted, { bootstrap: 0, permutations, seed: config.seed, layer }),
            ),
          );
      }
      if (optional.probeReadout) {
        const vectors = await loadEmotionVectors(ctx.folder.path(RUN_FILES.vectors));
        const other = config.probe.readout === "activity-tokens" ? "final-token" : "activity-tokens";
        const otherProbes = await probeScores(model, vectors, activities, {
          readout: other,
          template,
          signal: ctx.signal,
        });
        add(
          row(
            {
              id: `readout-${other}`,
              label: `probe read at the ${other === "final-token" ? "final token" : "activity's tokens"}`,
              forwardPasses: true,
            },
            correlateWith(preferences, otherProbes),
          ),
        );
      }
    }
  }
  bar.finish(`${settings.length} settings`);
  const result: RobustnessResult = { fdrAlpha, permutations, settings };
  await writeJsonAtomic(ctx.folder.path(RUN_FILES.robustness), result);
  await ctx.folder.finish("robustness", inputs, [RUN_FILES.robustness]);
}
