import type { Provider } from "../types.ts";
import { buildGeminiEmbeddings, parseGeminiEmbeddings } from "./embeddings.ts";
import { geminiStreamError, mapGeminiError } from "./errors.ts";
import { GEMINI_API_BASE, buildGeminiRequest } from "./request.ts";
import { parseGeminiResponse } from "./response.ts";
import { geminiStreamReader } from "./stream.ts";

const LABEL = "Gemini";

/** Google's Gemini API (AI Studio keys): every client dialect is translated; no client speaks its wire. */
export const gemini: Provider = {
  id: "gemini",
  label: LABEL,
  wire: "gemini",
  defaultApiBase: GEMINI_API_BASE,
  apiKeyEnv: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
  apiBaseEnv: ["GEMINI_API_BASE"],
  requiresApiKey: true,
  operations: ["chat", "embeddings"],
  priceSources: [{ id: "google" }],
  chat: {
    buildRequest: buildGeminiRequest,
    parseResponse: (body, state) => parseGeminiResponse(body, state, LABEL),
    streamReader: (state) => geminiStreamReader(state, LABEL),
  },
  embeddings: {
    buildRequests: buildGeminiEmbeddings,
    parseResponses: (answers, state, model) => parseGeminiEmbeddings(answers, state, model, LABEL),
  },
  mapError: (status, body, headers) => mapGeminiError(LABEL, status, body, headers),
  streamError: (event) => geminiStreamError(LABEL, event),
};
