import type { GatewayError } from "../../canonical/errors.ts";
import type { Provider, TranslationState } from "../types.ts";
import { mapOpenAIError } from "./errors.ts";
import type { OpenAIWireProfile } from "./profile.ts";
import { buildOpenAIPassthrough } from "./request.ts";
import { buildOpenAIChatRequest } from "./translate-request.ts";
import { fromOpenAIChatCompletion } from "./translate-response.ts";
import { openAIStreamReader } from "./translate-stream.ts";
import { mapOpenAIInBandError } from "./in-band-error.ts";
import type { SseEvent } from "../../streams/sse-parser.ts";

/** An error event or `{"error":...}` chunk of an OpenAI-wire stream; parsed only when the text can hold one. */
function openAIStreamError(label: string, event: SseEvent): GatewayError | undefined {
  if (event.event !== "error" && !event.data.includes('"error"')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(event.data);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== "object") return undefined;
  const payload = parsed as Record<string, unknown>;
  if (event.event === "error") return mapOpenAIInBandError(label, payload.error !== undefined ? payload : { error: payload });
  return payload.error !== undefined && payload.error !== null ? mapOpenAIInBandError(label, payload) : undefined;
}

/** A translated call's state is the reverse map of the tool names it rewrote, or nothing. */
const reverseNamesOf = (state: TranslationState): ReadonlyMap<string, string> | undefined => (state instanceof Map ? state : undefined);

/** Makes a provider from an OpenAI-wire profile: OpenAI itself, every compatible preset and the mock. */
export function openAIWireProvider(profile: OpenAIWireProfile): Provider {
  return {
    id: profile.id,
    label: profile.label,
    wire: "openai",
    ...(profile.defaultApiBase ? { defaultApiBase: profile.defaultApiBase } : {}),
    apiKeyEnv: profile.apiKeyEnv ?? [],
    apiBaseEnv: profile.apiBaseEnv ?? [],
    requiresApiKey: profile.requiresApiKey ?? true,
    operations: profile.operations ?? ["chat", "embeddings"],
    ...(profile.transport ? { transport: profile.transport } : {}),
    ...(profile.priceSources ? { priceSources: profile.priceSources.map((id) => ({ id })) } : {}),
    ...(profile.price ? { price: profile.price } : {}),
    chat: {
      buildRequest: (request, target, options) => buildOpenAIChatRequest(profile, request, target, options),
      parseResponse: (body, state) => fromOpenAIChatCompletion(profile.label, body, reverseNamesOf(state)),
      streamReader: (state) => openAIStreamReader(profile.label, reverseNamesOf(state)),
    },
    buildPassthrough: (operation, input, target, options) => buildOpenAIPassthrough(profile, operation, input, target, options),
    mapError: (status, body, headers) => mapOpenAIError(profile.label, status, body, headers),
    streamError: (event) => openAIStreamError(profile.label, event),
  };
}

/** OpenAI's own API. */
export const openai = openAIWireProvider({
  id: "openai",
  label: "OpenAI",
  defaultApiBase: "https://api.openai.com/v1",
  apiKeyEnv: ["OPENAI_API_KEY"],
  apiBaseEnv: ["OPENAI_API_BASE", "OPENAI_BASE_URL"],
  priceSources: ["openai"],
});
