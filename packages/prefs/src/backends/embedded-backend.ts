import { type Activity, DEFAULT_CHOICE_QUESTION, PvaError } from "@pva/core";
import { chatUserPrompt, type Model, type SteerSpec, type TournamentSteering, tokenSpan } from "@pva/lm";
import { sampledAnswer } from "../answer-parser.js";
import { type Label, labelOfToken } from "../label-readout.js";
import {
  ANSWER_PREFILL,
  choiceQuestion,
  type PromptTemplate,
  type PromptText,
  rawPrompt,
  wrapPrompt,
} from "../prompts.js";
import type { ChoiceAnswer, ChoiceBackend, ChoiceRequest } from "./choice-backend.js";
import { SharedPrefixBatcher } from "./shared-prefix-batcher.js";

export interface EmbeddedBackendOptions {
  template: PromptTemplate;
  question?: string;
  /**
   * Keep the KV cache between prompts and run only what a prompt does not share with the last
   * one: all prompts share "Human: Would you prefer to (A)", and prompts with the same first
   * activity share everything up to "(B)". Concurrent requests (elicit's `concurrency`) that
   * share that prefix run in one batched pass. Default true.
   */
  prefixReuse?: boolean;
  /** Most prompts in one batched pass (default 32). */
  maxBatch?: number;
  /** Sampling readout: tokens to generate and temperature. */
  maxNewTokens?: number;
  temperature?: number;
}

/**
 * The vocabulary's tokens that spell a label, by the one label rule (labelOfToken) applied to each
 * token's text as an API would list it, so a model read here and over HTTP counts the same tokens.
 */
export function labelTokenIds(model: Pick<Model, "tokenizer">, label: Label): number[] {
  const { tokenizer } = model;
  const ids: number[] = [];
  for (let id = 0; id < tokenizer.vocabSize; id++)
    if (labelOfToken(tokenizer.decode([id])) === label) ids.push(id);
  return ids;
}

/**
 * A model run in process (@pva/lm). Logits readout: the next-token distribution after "(",
 * renormalised over the label tokens and their variants, with the off-label mass reported.
 * Steering adds vectors on the tokens of the steered activities' text. Logits requests that share
 * a cached prefix are batched (SharedPrefixBatcher); the others run one at a time.
 */
export function createEmbeddedBackend(model: Model, opts: EmbeddedBackendOptions): ChoiceBackend {
  const question = opts.question ?? DEFAULT_CHOICE_QUESTION;
  const prefixReuse = opts.prefixReuse ?? true;
  const maxNewTokens = opts.maxNewTokens ?? 8;
  const temperature = opts.temperature ?? 1;
  const idsA = labelTokenIds(model, "A");
  const idsB = labelTokenIds(model, "B");
  if (idsA.length === 0 || idsB.length === 0) {
    throw new PvaError(`${model.id}: the tokenizer has no single token for "A" or "B"`, "E_MODEL");
  }

  const promptText = (a: Activity, b: Activity): PromptText => {
    if (opts.template === "raw") return rawPrompt(a, b, question);
    const q = choiceQuestion(a, b, question);
    const rendered = chatUserPrompt(model.tokenizer, q.text);
    const at = rendered.indexOf(q.text);
    if (at < 0) throw new PvaError(`${model.id}: the chat template rewrites the question`, "E_MODEL");
    return wrapPrompt(rendered.slice(0, at), q, `${rendered.slice(at + q.text.length)}${ANSWER_PREFILL}`);
  };

  const encode = (prompt: PromptText) =>
    model.tokenizer.encodeWithOffsets(prompt.text, { addSpecialTokens: opts.template === "raw" });

  const steerSpecs = (
    steer: TournamentSteering | undefined,
    request: ChoiceRequest,
    prompt: PromptText,
    offsets: [number, number][],
  ): SteerSpec[] => {
    if (!steer) return [];
    const spans = [
      ...(steer.activityIds.has(request.a.id) ? [prompt.spans.a] : []),
      ...(steer.activityIds.has(request.b.id) ? [prompt.spans.b] : []),
    ].map((span) => tokenSpan(offsets, span));
    return spans.flatMap((positions) =>
      steer.vectors.map(({ site, vector, scale }) => ({ site, vector, scale, positions })),
    );
  };

  // Logits prompts with prefix reuse go through the batcher, which keeps the KV cache; the rest
  // (no reuse, sampling) run one at a time.
  const batcher = prefixReuse ? new SharedPrefixBatcher(model, { maxBatch: opts.maxBatch }) : null;
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    id: model.id,
    capabilities: { logits: true, logprobs: false, samples: true, steering: true },
    readout: "logits",
    prompt: (a, b) => promptText(a, b).text,
    readoutParams(readout): Record<string, string | number> {
      // the hash pins the weights: a changed local folder must not reuse old answers
      const base = { template: opts.template, modelHash: model.hash };
      return readout === "samples" ? { ...base, maxNewTokens, temperature } : base;
    },
    async answer(request: ChoiceRequest): Promise<ChoiceAnswer> {
      const prompt = promptText(request.a, request.b);
      const { ids, offsets } = encode(prompt);
      const steer = steerSpecs(request.steer, request, prompt, offsets);
      if (request.readout === "logits" && batcher) {
        const laterActivityChar = Math.max(prompt.spans.a[0], prompt.spans.b[0]);
        const keepUpTo = tokenSpan(offsets, [laterActivityChar, laterActivityChar + 1]).start;
        const logits = await batcher.logits({ tokens: ids, keepUpTo, steer, source: request.steer });
        return { ...labelDistribution(logits, idsA, idsB, model), attempts: 1 };
      }
      return serialised(async () => {
        if (request.readout === "samples") {
          const { text } = await model.generate(ids, {
            maxNewTokens,
            temperature,
            seed: request.seed * 1000 + request.sampleIndex,
            steer,
          });
          return { ...sampledAnswer(text, true), attempts: 1 };
        }
        if (request.readout !== "logits") {
          throw new PvaError(
            `${model.id}: the embedded backend reads logits or samples, not "${request.readout}"`,
            "E_CONFIG",
          );
        }
        const { logits } = await model.forward(ids, { logits: "last", steer });
        return { ...labelDistribution(logits, idsA, idsB, model), attempts: 1 };
      });
    },
  };
}

/** Softmax over the whole vocabulary (in float64), then the label masses. */
function labelDistribution(
  logits: Float32Array,
  idsA: readonly number[],
  idsB: readonly number[],
  model: Pick<Model, "tokenizer">,
): Omit<ChoiceAnswer, "attempts"> {
  let max = Number.NEGATIVE_INFINITY;
  let argmax = 0;
  for (let v = 0; v < logits.length; v++) {
    if (logits[v] > max) {
      max = logits[v];
      argmax = v;
    }
  }
  let z = 0;
  for (let v = 0; v < logits.length; v++) z += Math.exp(logits[v] - max);
  const mass = (ids: readonly number[]) => ids.reduce((sum, id) => sum + Math.exp(logits[id] - max) / z, 0);
  const massA = mass(idsA);
  const massB = mass(idsB);
  if (!(massA + massB > 0)) {
    return {
      pA: null,
      pB: null,
      offLabelMass: 1,
      rawAnswer: model.tokenizer.decode([argmax]),
      choice: "unparseable",
    };
  }
  const pA = massA / (massA + massB);
  return {
    pA,
    pB: 1 - pA,
    offLabelMass: Math.min(1, Math.max(0, 1 - massA - massB)),
    rawAnswer: model.tokenizer.decode([argmax]),
    choice: pA >= 0.5 ? "A" : "B",
  };
}
