import { apiModelName, PvaError, type StudyConfig } from "@pva/core";
import {
  type ChoiceBackend,
  createAnthropicBackend,
  createEmbeddedBackend,
  createOpenAIBackend,
} from "@pva/prefs";
import type { ModelLoader } from "./model-loader.js";

/** The backend that answers the study's choice prompts: the model in process, or an API. */
export async function studyBackend(config: StudyConfig, models: ModelLoader): Promise<ChoiceBackend> {
  const { model, elicitation, prompts } = config;
  if (model.backend === "embedded")
    return createEmbeddedBackend(await models.get(), {
      template: elicitation.template,
      question: prompts.choice,
      temperature: elicitation.temperature,
    });
  const name = apiModelName(model);
  if (model.backend === "openai") {
    if (elicitation.readout === "logits")
      throw new PvaError(
        'study.json: elicitation.readout: an OpenAI-compatible server has no raw logits; use "logprobs" or "samples"',
        "E_CONFIG",
      );
    return createOpenAIBackend({
      endpoints: model.endpoints,
      model: name,
      readout: elicitation.readout,
      template: elicitation.template,
      question: prompts.choice,
      temperature: elicitation.temperature,
      retry: { maxRetries: elicitation.maxRetries },
      ...(elicitation.requestTimeoutSeconds !== undefined
        ? { timeoutMs: elicitation.requestTimeoutSeconds * 1000 }
        : {}),
    });
  }
  return createAnthropicBackend({
    model: name,
    ...(model.endpoints[0] ? { baseURL: model.endpoints[0] } : {}),
    question: prompts.choice,
    retry: { maxRetries: elicitation.maxRetries },
    ...(elicitation.requestTimeoutSeconds !== undefined
      ? { timeoutMs: elicitation.requestTimeoutSeconds * 1000 }
      : {}),
  });
}
