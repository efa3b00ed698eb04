/**
 * Azure OpenAI as a conformance upstream: the dated deployments API,
 * `POST {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…` with the
 * resource key in `api-key`; the feature is the deployment name in the path. Answers are OpenAI's
 * shapes as Azure sends them: `prompt_filter_results` and per-choice `content_filter_results`, the
 * stream opening with the annotation-only prompt-filter chunk, and Azure's own error bodies
 * (test/fixtures/azure/). As on OpenAI, reasoning text is never returned (only reasoning_tokens).
 */
import { ERROR_MESSAGES, featureModel, featureOf, type ConformanceProvider, type Feature } from "../contract.ts";
import { OPENAI_CHAT_PARAMS } from "./openai-wire.ts";
import { commonProblems, headerOf, serveOpenAIWire, type ErrorFeature } from "./openai-wire-server.ts";

/** A resource key as "Keys and Endpoint" shows it (32 hex characters, not a JWT). */
const API_KEY = "0c0f0a0b1c2d3e4f5a6b7c8d9e0fa1b2";
/** The API version the deployments ask for: a preview recent enough for reasoning_effort and stream usage. */
const API_VERSION = "2025-04-01-preview";
const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

/** Azure takes the OpenAI parameters plus its own (On Your Data, Defender for Cloud context). */
const AZURE_CHAT_PARAMS: ReadonlySet<string> = new Set([...OPENAI_CHAT_PARAMS, "data_sources", "user_security_context"]);

const AZURE_HEADERS = {
  "apim-request-id": "0d7bd7e4-6c39-4bd0-a6a2-conformance01",
  "azureml-model-session": "d001-20250401000000",
  "x-ms-region": "Sweden Central",
  "x-ratelimit-remaining-requests": "99",
  "x-ratelimit-remaining-tokens": "99000",
  "x-request-id": "6a1c9f0e-2b7d-4c55-9d7e-conformance01",
};

/** Azure's short error body (`{"error":{"code","message"}}`), used for its gateway-level errors. */
function azureError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message } }, { status, headers: { ...AZURE_HEADERS, ...headers } });
}

/** The model's validation error as Azure relays it (OpenAI's shape, `code` null). */
function validationError(message: string, param: string | null): Response {
  return Response.json({ error: { message, type: "invalid_request_error", param, code: null } }, { status: 400, headers: AZURE_HEADERS });
}

const ERRORS: Record<ErrorFeature, () => Response> = {
  "error-400": () => validationError(ERROR_MESSAGES["error-400"], "temperature"),
  "error-401": () => azureError(401, "401", ERROR_MESSAGES["error-401"]),
  // Azure says when to retry in both headers; the SDKs read retry-after-ms first.
  "error-429": () => azureError(429, "429", ERROR_MESSAGES["error-429"], { "retry-after": "1", "retry-after-ms": "1000", "x-ratelimit-remaining-requests": "0" }),
  "error-500": () => azureError(500, "InternalServerError", ERROR_MESSAGES["error-500"]),
};

/** Azure OpenAI (`azure/…` deployments, deployment-name URLs). */
export const azureConformance: ConformanceProvider = {
  key: "azure",
  hiddenReasoning: true,
  async start() {
    const server = serveOpenAIWire({
      flavour: { azure: true, model: (feature) => (feature === "reasoning" ? "o4-mini-2025-04-16" : "gpt-4o-2024-11-20") },
      params: AZURE_CHAT_PARAMS,
      headers: AZURE_HEADERS,
      route(recorded, url) {
        const problems = commonProblems(recorded);
        const deployment = DEPLOYMENT_PATH.exec(recorded.path)?.[1];
        if (deployment === undefined) problems.push(`path must be /openai/deployments/{deployment}/chat/completions, got ${recorded.path}`);
        const version = url.searchParams.get("api-version");
        if (version !== API_VERSION) problems.push(`api-version must be the configured ${API_VERSION}, got ${JSON.stringify(version)}`);
        const key = headerOf(recorded, "api-key");
        if (key !== API_KEY) problems.push(`api-key must be the deployment's resource key, got '${key.slice(0, 8)}'`);
        if (headerOf(recorded, "authorization") !== "") problems.push("a resource key goes in api-key only; an Authorization header was sent too");
        return { feature: deployment === undefined ? undefined : featureOf(decodeURIComponent(deployment)), problems };
      },
      invalid: (message) => validationError(message, null),
      error: (feature) => ERRORS[feature](),
    });
    return {
      entry: (feature: Feature) => ({ model: `azure/${featureModel(feature)}`, api_base: server.origin, api_key: API_KEY, api_version: API_VERSION }),
      violations: server.violations,
      aborted: server.aborted,
      stop: server.stop,
    };
  },
};
