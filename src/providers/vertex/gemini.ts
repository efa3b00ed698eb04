import { geminiStreamError, mapGeminiError } from "../gemini/errors.ts";
import { toGeminiBody } from "../gemini/request.ts";
import { parseGeminiResponse } from "../gemini/response.ts";
import { geminiStreamReader } from "../gemini/stream.ts";
import type { Provider, Target } from "../types.ts";
import { authorizeVertex, forgetVertexToken, placeOf } from "./authorize.ts";
import { vertexEmbeddings } from "./embeddings.ts";
import { vertexGeminiUrl } from "./urls.ts";

const LABEL = "Vertex AI";

/** JSON in, JSON or SSE out, then the deployment's own headers; the token is added by authorize. */
function vertexHeaders(target: Target, stream: boolean): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: stream ? "text/event-stream" : "application/json" };
  for (const [name, value] of Object.entries(target.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/** Gemini on Vertex AI: the Gemini translators, Vertex's project/location URL and an OAuth token. */
export const geminiOnVertex: Provider = {
  id: "vertex_ai",
  label: LABEL,
  wire: "gemini",
  // Replaced by the location's host when the deployment is configured (see index.ts).
  defaultApiBase: "https://aiplatform.googleapis.com",
  apiKeyEnv: [],
  apiBaseEnv: [],
  requiresApiKey: false,
  operations: ["chat", "embeddings"],
  // Google's rows price Gemini and, through the data's own fallback, Claude on Vertex (a `vertex_ai/*` wildcard serves both).
  priceSources: [{ id: "google" }],
  authorize: authorizeVertex,
  unauthorized: forgetVertexToken,
  chat: {
    buildRequest(request, target, options) {
      const { body, state } = toGeminiBody(request, options, { model: target.model, vertex: true });
      const { project, location } = placeOf(target);
      return { upstream: { url: vertexGeminiUrl(project, location, target.model, request.stream, target.apiBase), headers: vertexHeaders(target, request.stream), body: JSON.stringify(body) }, state };
    },
    parseResponse: (body, state) => parseGeminiResponse(body, state, LABEL),
    streamReader: (state) => geminiStreamReader(state, LABEL),
  },
  embeddings: vertexEmbeddings,
  mapError: (status, body, headers) => mapGeminiError(LABEL, status, body, headers),
  streamError: (event) => geminiStreamError(LABEL, event),
};
