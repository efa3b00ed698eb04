import { editTopLevel } from "../../json/top-level.ts";
import { GatewayError } from "../../canonical/errors.ts";

/** The only `anthropic_version` Claude on Vertex AI accepts; it goes in the body, not a header. */
export const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

/**
 * Turns an Anthropic Messages body into a Vertex AI rawPredict body: `model` removed (the URL names
 * it) and `anthropic_version` set (replacing any the client sent). Text is edited in place (see
 * json/top-level.ts), so every other member is forwarded byte for byte; it must be a JSON object, as
 * the Anthropic builders produce. An object is serialised once.
 */
export function toVertexAnthropicBody(anthropicBody: string | Record<string, unknown>): string {
  if (typeof anthropicBody !== "string") {
    const { model: _model, anthropic_version: _version, ...rest } = anthropicBody;
    return JSON.stringify({ anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest });
  }
  if (!anthropicBody.trimStart().startsWith("{")) {
    throw new GatewayError("gateway.internal", "A Claude request body for Vertex AI was not a JSON object.", { provider: "Vertex AI" });
  }
  return editTopLevel(anthropicBody, { remove: ["model"], set: { anthropic_version: JSON.stringify(VERTEX_ANTHROPIC_VERSION) } });
}

/** Same edit for the count-tokens endpoint, which keeps `model` in the body. */
export function toVertexAnthropicCountTokensBody(anthropicBody: string): string {
  return editTopLevel(anthropicBody, { set: { anthropic_version: JSON.stringify(VERTEX_ANTHROPIC_VERSION) } });
}
