import type { Provider } from "../types.ts";
import { mapAnthropicError, mapAnthropicStreamError } from "./errors.ts";
import { buildAnthropicPassthrough } from "./passthrough.ts";
import { buildAnthropicRequest } from "./request.ts";
import { parseAnthropicResponse } from "./response.ts";
import { anthropicStreamReader } from "./stream.ts";

const LABEL = "Anthropic";

/** Anthropic's Messages API: canonical translation for OpenAI-format clients, the raw fast path for Anthropic-format ones. */
export const anthropic: Provider = {
  id: "anthropic",
  label: LABEL,
  wire: "anthropic",
  defaultApiBase: "https://api.anthropic.com/v1",
  apiKeyEnv: ["ANTHROPIC_API_KEY"],
  apiBaseEnv: ["ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"],
  requiresApiKey: true,
  operations: ["chat", "count_tokens"],
  priceSources: [{ id: "anthropic" }],
  chat: {
    buildRequest: buildAnthropicRequest,
    parseResponse: parseAnthropicResponse,
    streamReader: (state) => anthropicStreamReader(state, LABEL),
  },
  buildPassthrough(operation, input, target) {
    const { upstream, reverseNames } = buildAnthropicPassthrough(operation, input, target);
    return reverseNames.size > 0 ? { ...upstream, reverseNames } : upstream;
  },
  mapError: (status, body, headers) => mapAnthropicError(LABEL, status, body, headers),
  streamError: (event) => (event.event === "error" ? mapAnthropicStreamError(LABEL, event.data) : undefined),
};
