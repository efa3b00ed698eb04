import { toOpenAIErrorResponse } from "../../dialects/openai/errors.ts";
import type { PassthroughProvider } from "../types.ts";
import { bearer, bodyCall, withoutSuffix } from "./common.ts";

/**
 * Cohere's API at `/cohere/*` (its SDK with `environment: <gateway>/cohere`): chat and embed (v1
 * and v2) are model calls; rerank and the rest pass through unpriced. No deployment serves Cohere
 * here, so the credential is the environment's (COHERE_API_KEY), as LiteLLM reads it.
 */
export const coherePassthrough: PassthroughProvider = {
  id: "cohere",
  label: "Cohere",
  credentials: { apiKeyEnv: ["COHERE_API_KEY", "CO_API_KEY"], apiBaseEnv: ["COHERE_API_BASE"], defaultBase: "https://api.cohere.com", priceSources: ["cohere"] },
  rootOf: (base) => withoutSuffix(base, ["/v1", "/v2"]),
  credentialHeaders: bearer,
  classify({ method, path, fields }) {
    if (method === "POST" && (path === "v1/chat" || path === "v2/chat")) return bodyCall("generate", fields, "cohere");
    if (method === "POST" && (path === "v1/embed" || path === "v2/embed")) return bodyCall("embed", fields, "cohere");
    // v1's generate, summarize and classify run a default model when the body names none.
    if (method === "POST" && (path === "v1/generate" || path === "v1/summarize" || path === "v1/classify")) return { ...bodyCall("other", fields), runsUnnamedModel: true };
    return bodyCall("other", fields);
  },
  renderError: toOpenAIErrorResponse,
};
