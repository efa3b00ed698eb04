/**
 * The Anthropic Messages API as a conformance upstream: `POST /v1/messages` with `x-api-key` and
 * `anthropic-version`, checked as Anthropic checks it (anthropic-checks.ts) plus each feature's
 * specifics, answered in Anthropic's recorded shapes (anthropic-answers.ts). OpenAI-format clients
 * reach it through the gateway's translation, Anthropic-format ones through the same-format fast path.
 */
import { ERROR_MESSAGES, featureModel, featureOf, type ConformanceProvider, type Feature } from "../contract.ts";
import { anthropicError, answerMessages, isJsonObject, type WireStyle } from "./anthropic-answers.ts";
import { checkFeature, checkMessagesBody } from "./anthropic-checks.ts";

const API_KEY = "sk-ant-api03-conformance-0123456789abcdef";
/** 2023-06-01 is what the gateway's translators speak; 2026-10-21 what the official SDK (1.x) sends on the fast path. */
const VERSIONS = new Set(["2023-06-01", "2026-10-21"]);
const STYLE: WireStyle = { idPrefix: "", detailedUsage: true, fullDeltaUsage: true };

const RATE_LIMITS = {
  "anthropic-ratelimit-requests-limit": "4000",
  "anthropic-ratelimit-requests-remaining": "3999",
  "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:01Z",
};

/** The error features' answers: Anthropic's error types for each status (429 with retry-after). */
function errorAnswer(feature: keyof typeof ERROR_MESSAGES, headers: Record<string, string>): Response {
  const message = ERROR_MESSAGES[feature];
  switch (feature) {
    case "error-400":
      return anthropicError(400, "invalid_request_error", message, headers);
    case "error-401":
      return anthropicError(401, "authentication_error", message, headers);
    case "error-429":
      return anthropicError(429, "rate_limit_error", message, { ...headers, "retry-after": "1", "anthropic-ratelimit-requests-remaining": "0" });
    case "error-500":
      return anthropicError(500, "api_error", message, headers);
  }
}

const isErrorFeature = (feature: Feature): feature is keyof typeof ERROR_MESSAGES => feature in ERROR_MESSAGES;

/** What is wrong with the request's method, path and headers (before the body). */
function checkEnvelope(request: Request, path: string): string | undefined {
  if (request.method !== "POST") return `method is ${request.method}, not POST`;
  if (path !== "/v1/messages") return `path is ${path}, not /v1/messages`;
  const key = request.headers.get("x-api-key");
  if (key !== API_KEY) return `x-api-key is ${JSON.stringify(key)}, not the deployment's key`;
  if (request.headers.has("authorization")) return "an Authorization header reached Anthropic (the gateway's own key must not be forwarded)";
  const version = request.headers.get("anthropic-version") ?? "";
  if (!VERSIONS.has(version)) return `anthropic-version: '${version}' is not a valid version`;
  const type = request.headers.get("content-type") ?? "";
  return /^application\/json\s*(;|$)/i.test(type) ? undefined : `content-type is '${type}', not application/json`;
}

/** The Anthropic column of the conformance matrix. */
export const anthropicConformance: ConformanceProvider = {
  key: "anthropic",
  cacheWrites: true,
  async start() {
    const violations: string[] = [];
    let aborted = 0;
    let served = 0;
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      // `abort` holds its stream open until the caller goes away, not until an idle timer fires.
      idleTimeout: 0,
      async fetch(request) {
        const seed = 0x5eed + ++served * 7919;
        const headers = { "request-id": `req_011CConf${String(seed).padStart(12, "0")}`, ...RATE_LIMITS };
        const text = await request.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const model = isJsonObject(body) && typeof body.model === "string" ? body.model : "";
        const feature = featureOf(model);
        const fail = (problem: string) => {
          violations.push(`${feature ?? `(model ${JSON.stringify(model)})`}: ${problem}`);
          return anthropicError(400, "invalid_request_error", problem, headers);
        };
        const envelope = checkEnvelope(request, new URL(request.url).pathname);
        if (envelope) return fail(envelope);
        if (!isJsonObject(body)) return fail(`the body is not a JSON object: ${text.slice(0, 60)}`);
        if (!feature) return fail(`model: '${model}' names no conformance feature`);
        if (model !== featureModel(feature)) return fail(`model is '${model}', not '${featureModel(feature)}'`);
        const problem = checkMessagesBody(body) ?? checkFeature(feature, body);
        if (problem) return fail(problem);
        if (isErrorFeature(feature)) return errorAnswer(feature, headers);
        return answerMessages({ feature, body, model, stream: body.stream === true, style: STYLE, seed, signal: request.signal, onAborted: () => aborted++, headers });
      },
    });
    return {
      entry: (feature) => ({ model: `anthropic/${featureModel(feature)}`, api_base: `http://127.0.0.1:${server.port}/v1`, api_key: API_KEY }),
      violations,
      aborted: () => aborted,
      stop: async () => {
        await server.stop(true);
      },
    };
  },
};
