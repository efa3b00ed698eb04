/**
 * OpenAI's Chat Completions API as a conformance upstream: `POST /v1/chat/completions` with a
 * bearer key, the feature in the body's `model`, answers in OpenAI's recorded shapes.
 *
 * Reasoning: Chat Completions never returns reasoning text (OpenAI's reasoning guide: reasoning
 * tokens are not visible via the API; only the Responses API returns summaries). So `reasoning`
 * checks that `reasoning_effort` arrives (thinking enabled) and answers ANSWER_TEXT with
 * `completion_tokens_details.reasoning_tokens`; the suite checks the answer, not reasoning text.
 */
import { ERROR_MESSAGES, featureModel, featureOf, type ConformanceProvider, type Feature } from "../contract.ts";
import { OPENAI_CHAT_PARAMS } from "./openai-wire.ts";
import { commonProblems, headerOf, serveOpenAIWire, type ErrorFeature } from "./openai-wire-server.ts";

/** The key the deployments carry; the mock accepts no other. */
const API_KEY = "sk-proj-conformance0penai0000000000000000";

/** Headers OpenAI puts on every answer. */
const OPENAI_HEADERS = {
  "openai-processing-ms": "212",
  "openai-version": "2020-10-01",
  "x-ratelimit-limit-requests": "10000",
  "x-ratelimit-remaining-requests": "9999",
  "x-ratelimit-reset-requests": "6ms",
  "x-request-id": "req_conf0penai000000000000000001",
};

/** OpenAI's error body. */
function openAIError(status: number, message: string, type: string, code: string | null, param: string | null, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { message, type, param, code } }, { status, headers: { ...OPENAI_HEADERS, ...headers } });
}

const ERRORS: Record<ErrorFeature, () => Response> = {
  "error-400": () => openAIError(400, ERROR_MESSAGES["error-400"], "invalid_request_error", "invalid_value", "temperature"),
  "error-401": () => openAIError(401, ERROR_MESSAGES["error-401"], "invalid_request_error", "invalid_api_key", null),
  "error-429": () =>
    openAIError(429, ERROR_MESSAGES["error-429"], "requests", "rate_limit_exceeded", null, {
      "retry-after": "1",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "1s",
    }),
  "error-500": () => openAIError(500, ERROR_MESSAGES["error-500"], "server_error", null, null),
};

/** OpenAI (`openai/…` deployments). */
export const openaiConformance: ConformanceProvider = {
  key: "openai",
  hiddenReasoning: true,
  async start() {
    const server = serveOpenAIWire({
      flavour: { azure: false, model: (_feature, requested) => requested },
      params: OPENAI_CHAT_PARAMS,
      headers: OPENAI_HEADERS,
      route(recorded) {
        const problems = commonProblems(recorded);
        if (recorded.path !== "/v1/chat/completions") problems.push(`path must be /v1/chat/completions, got ${recorded.path}`);
        const auth = headerOf(recorded, "authorization");
        if (auth !== `Bearer ${API_KEY}`) problems.push(`Authorization must be 'Bearer <the deployment's key>', got '${auth.slice(0, 24)}'`);
        const model = recorded.body?.model;
        if (typeof model !== "string" || model === "") problems.push("model: required");
        return { feature: typeof model === "string" ? featureOf(model) : undefined, problems };
      },
      invalid: (message) => openAIError(400, message, "invalid_request_error", null, null),
      error: (feature) => ERRORS[feature](),
    });
    return {
      entry: (feature: Feature) => ({ model: `openai/${featureModel(feature)}`, api_base: `${server.origin}/v1`, api_key: API_KEY }),
      violations: server.violations,
      aborted: server.aborted,
      stop: server.stop,
    };
  },
};
