import { GatewayError } from "../../canonical/errors.ts";
import type { PassthroughOptions } from "../types.ts";
import { rejectsPenalties } from "./models.ts";
import type { GeminiGenerationConfig } from "./wire.ts";

/**
 * A parameter Gemini cannot take: returns (the caller then leaves it out) with `drop_params: true`,
 * otherwise fails with a 400 that names it and says what to do.
 */
export function refuseGeminiParam(options: PassthroughOptions, param: string, why: string): void {
  if (options.dropParams) return;
  throw new GatewayError("caller.invalid_request", `Gemini ${why}. Remove '${param}', or set drop_params: true to have the gateway drop it.`, { param });
}

/** OpenAI parameters whose value here is OpenAI's own default: sending nothing means the same. */
const NO_OP_VALUES: Readonly<Record<string, unknown>> = { n: 1, presence_penalty: 0, frequency_penalty: 0, logprobs: false };

const PENALTIES: Readonly<Record<string, "presencePenalty" | "frequencyPenalty">> = { presence_penalty: "presencePenalty", frequency_penalty: "frequencyPenalty" };

/** Where the request's `extra` parameters go: `generationConfig` members and top-level body fields. */
export interface GeminiExtras {
  config: Pick<GeminiGenerationConfig, "presencePenalty" | "frequencyPenalty">;
  body: { safetySettings?: unknown; cachedContent?: string };
}

/**
 * Sorts the request's `extra` parameters: OpenAI's penalties become `generationConfig` members
 * (except on Gemini 2.5 through the Gemini API, which refuses them), LiteLLM's `safety_settings`
 * and `cached_content` (or Gemini's own spellings) become body fields; anything else is dropped
 * (drop_params) or refused by name.
 */
export function toGeminiExtras(extra: Record<string, unknown>, options: PassthroughOptions, model: string, vertex: boolean): GeminiExtras {
  const out: GeminiExtras = { config: {}, body: {} };
  for (const [name, value] of Object.entries(extra)) {
    if (value === null || value === undefined || NO_OP_VALUES[name] === value) continue;
    const penalty = PENALTIES[name];
    if (penalty) {
      if (typeof value !== "number") refuseGeminiParam(options, name, `takes ${name} as a number, not ${JSON.stringify(value)}`);
      else if (!vertex && rejectsPenalties(model)) refuseGeminiParam(options, name, `does not support ${name} on ${model}`);
      else out.config[penalty] = value;
    } else if (name === "safety_settings" || name === "safetySettings") out.body.safetySettings = value;
    else if ((name === "cached_content" || name === "cachedContent") && typeof value === "string") out.body.cachedContent = value;
    else refuseGeminiParam(options, name, `does not support the parameter '${name}'`);
  }
  return out;
}
