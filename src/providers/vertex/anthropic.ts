import { anthropic } from "../anthropic/index.ts";
import { buildAnthropicPassthrough } from "../anthropic/passthrough.ts";
import { mapAnthropicError } from "../anthropic/errors.ts";
import { mapGeminiError } from "../gemini/errors.ts";
import type { Operation, Provider, Target, UpstreamRequest } from "../types.ts";
import { toVertexAnthropicBody, toVertexAnthropicCountTokensBody } from "./anthropic-body.ts";
import { authorizeVertex, forgetVertexToken, placeOf } from "./authorize.ts";
import { vertexAnthropicCountTokensUrl, vertexAnthropicUrl } from "./urls.ts";
import { geminiOnVertex } from "./gemini.ts";

const LABEL = "Vertex AI (Claude)";

/** An Anthropic Messages request readdressed to Vertex AI: the model in the URL, the version in the body, the token instead of a key. */
function toVertex(upstream: UpstreamRequest, target: Target, operation: Operation, stream: boolean): UpstreamRequest {
  const { project, location } = placeOf(target);
  const { "x-api-key": _key, "anthropic-version": _version, ...headers } = upstream.headers;
  if (operation === "count_tokens") return { ...upstream, url: vertexAnthropicCountTokensUrl(project, location, target.apiBase), headers, body: toVertexAnthropicCountTokensBody(upstream.body) };
  return { ...upstream, url: vertexAnthropicUrl(project, location, target.model, stream, target.apiBase), headers, body: toVertexAnthropicBody(upstream.body) };
}

/** Vertex AI answers in Google's error envelope for platform errors and in Anthropic's for the model's own. */
function mapVertexAnthropicError(status: number, body: string, headers: Headers) {
  return /"error"\s*:\s*\{[^}]*"status"\s*:/.test(body) ? mapGeminiError(LABEL, status, body, headers) : mapAnthropicError(LABEL, status, body, headers);
}

/** Claude on Vertex AI: Anthropic's translators and fast path, Vertex's address and OAuth token. */
const { embeddings: _geminiOnly, ...vertexBase } = geminiOnVertex;

export const anthropicOnVertex: Provider = {
  ...vertexBase,
  label: LABEL,
  wire: "anthropic",
  operations: ["chat", "count_tokens"],
  priceSources: [{ id: "google" }, { id: "anthropic" }],
  authorize: authorizeVertex,
  unauthorized: forgetVertexToken,
  chat: {
    ...anthropic.chat,
    buildRequest(request, target, options) {
      const built = anthropic.chat.buildRequest(request, target, options);
      return { ...built, upstream: toVertex(built.upstream, target, "chat", request.stream) };
    },
  },
  buildPassthrough(operation, input, target) {
    const { upstream, reverseNames } = buildAnthropicPassthrough(operation, input, target);
    const built = toVertex(upstream, target, operation, input.stream);
    return reverseNames.size > 0 ? { ...built, reverseNames } : built;
  },
  mapError: mapVertexAnthropicError,
  streamError: anthropic.streamError,
};
