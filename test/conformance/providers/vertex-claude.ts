/**
 * Claude on Vertex AI as a conformance upstream. One server plays both Google parts: the OAuth token
 * endpoint (`POST /token`, the service account's `token_uri`; each RS256 JWT assertion verified
 * against the account's public key) and Vertex AI's
 * `POST /v1/projects/{p}/locations/{l}/publishers/anthropic/models/{model}:rawPredict|:streamRawPredict`,
 * which takes only a token it issued, a body without `model` and with `anthropic_version:
 * "vertex-2023-10-16"`, and no `x-api-key`. The body is then checked and answered as Anthropic's
 * (anthropic-checks.ts, anthropic-answers.ts); platform errors come in Google's envelope.
 */
import { makeAccount, tokenEndpoint } from "../../fixtures/vertex/google-mock.ts";
import { ERROR_MESSAGES, featureModel, featureOf, type ConformanceProvider, type Feature } from "../contract.ts";
import { anthropicError, answerMessages, isJsonObject, type WireStyle } from "./anthropic-answers.ts";
import { checkFeature, checkMessagesBody } from "./anthropic-checks.ts";

const PROJECT = "conformance-project";
const LOCATION = "us-east5";
const VERTEX_VERSION = "vertex-2023-10-16";
const STYLE: WireStyle = { idPrefix: "vrtx_", detailedUsage: false, fullDeltaUsage: false };
const PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/([^/]+)\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;

/** Google's error envelope, as Vertex AI answers platform errors (auth, quota, bad URLs). */
function googleError(code: number, status: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message, status } }, { status: code, headers });
}

const isErrorFeature = (feature: Feature): feature is keyof typeof ERROR_MESSAGES => feature in ERROR_MESSAGES;

/**
 * The error features' answers. Authentication and quota errors come from Google's front end (its
 * envelope, 429 with retry-after); the model's own errors pass through in Anthropic's shape.
 */
function errorAnswer(feature: keyof typeof ERROR_MESSAGES): Response {
  const message = ERROR_MESSAGES[feature];
  switch (feature) {
    case "error-400":
      return anthropicError(400, "invalid_request_error", message);
    case "error-401":
      return googleError(401, "UNAUTHENTICATED", message);
    case "error-429":
      return googleError(429, "RESOURCE_EXHAUSTED", message, { "retry-after": "1" });
    case "error-500":
      return anthropicError(500, "api_error", message);
  }
}

/** The Claude on Vertex AI column of the conformance matrix. */
export const vertexClaudeConformance: ConformanceProvider = {
  key: "vertex_ai (claude)",
  cacheWrites: true,
  async start() {
    const violations: string[] = [];
    const issued = new Set<string>();
    let aborted = 0;
    let served = 0;
    let token: ReturnType<typeof tokenEndpoint> | undefined;
    let tokenUri = "";

    /** The token endpoint: the shared fake verifies the assertion; its findings become violations. */
    async function exchange(request: Request): Promise<Response> {
      const endpoint = token as ReturnType<typeof tokenEndpoint>;
      const before = endpoint.state.problems.length;
      let response: Response;
      try {
        response = await endpoint.fetch(tokenUri, { method: request.method, headers: request.headers, body: await request.text() });
      } catch (error) {
        violations.push(`token: the token request is not a JWT bearer grant (${String(error)})`);
        return Response.json({ error: "invalid_request", error_description: "Malformed assertion." }, { status: 400 });
      }
      for (const problem of endpoint.state.problems.slice(before)) violations.push(`token: ${problem}`);
      if (endpoint.state.problems.length > before) return Response.json({ error: "invalid_grant", error_description: "Invalid JWT." }, { status: 400 });
      const granted = (await response.clone().json()) as { access_token?: string };
      if (granted.access_token) issued.add(granted.access_token);
      return response;
    }

    async function predict(request: Request, url: URL): Promise<Response> {
      const seed = 0x7e47 + ++served * 7919;
      const match = PATH.exec(url.pathname);
      const model = decodeURIComponent(match?.[4] ?? "");
      const feature = featureOf(model);
      const fail = (problem: string, google = false) => {
        violations.push(`${feature ?? `(path ${url.pathname})`}: ${problem}`);
        return google ? googleError(400, "INVALID_ARGUMENT", problem) : anthropicError(400, "invalid_request_error", problem);
      };
      if (request.method !== "POST") return fail(`method is ${request.method}, not POST`, true);
      if (!match) return fail(`path ${url.pathname} is not a publishers/anthropic rawPredict or streamRawPredict call`, true);
      const [, project, location, publisher, , method] = match;
      if (project !== PROJECT || location !== LOCATION) return fail(`the path names project ${project} in ${location}, not ${PROJECT} in ${LOCATION}`, true);
      if (publisher !== "anthropic") return fail(`publisher is ${publisher}, not anthropic`, true);
      if (!feature) return fail(`model '${model}' names no conformance feature`, true);
      if (model !== featureModel(feature, true)) return fail(`model is '${model}', not '${featureModel(feature, true)}'`, true);
      const auth = request.headers.get("authorization") ?? "";
      if (!auth.startsWith("Bearer ") || !issued.has(auth.slice("Bearer ".length))) return fail(`Authorization is not 'Bearer <a token this endpoint issued>': '${auth.slice(0, 30)}'`, true);
      if (request.headers.has("x-api-key")) return fail("an x-api-key header reached Vertex AI");
      const type = request.headers.get("content-type") ?? "";
      if (!/^application\/json\s*(;|$)/i.test(type)) return fail(`content-type is '${type}', not application/json`);
      const text = await request.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return fail(`the body is not JSON: ${text.slice(0, 60)}`);
      }
      if (!isJsonObject(body)) return fail("the body is not a JSON object");
      if ("model" in body) return fail("model: the body names the model (Vertex AI takes it from the URL)");
      if (body.anthropic_version !== VERTEX_VERSION) return fail(`anthropic_version is ${JSON.stringify(body.anthropic_version)}, not '${VERTEX_VERSION}'`);
      const stream = body.stream === true;
      if (stream !== (method === "streamRawPredict")) return fail(`${method} called with stream ${JSON.stringify(body.stream)}`);
      const problem = checkMessagesBody(body) ?? checkFeature(feature, body);
      if (problem) return fail(problem);
      if (isErrorFeature(feature)) return errorAnswer(feature);
      return answerMessages({ feature, body, model, stream, style: STYLE, seed, signal: request.signal, onAborted: () => aborted++, headers: {} });
    }

    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      // `abort` holds its stream open until the caller goes away, not until an idle timer fires.
      idleTimeout: 0,
      fetch(request) {
        const url = new URL(request.url);
        return url.pathname === "/token" ? exchange(request) : predict(request, url);
      },
    });
    const origin = `http://127.0.0.1:${server.port}`;
    tokenUri = `${origin}/token`;
    const account = await makeAccount("conformance", tokenUri);
    token = tokenEndpoint({ account, now: Date.now });
    return {
      entry: (feature) => ({
        model: `vertex_ai/${featureModel(feature, true)}`,
        api_base: origin,
        vertex_project: PROJECT,
        vertex_location: LOCATION,
        vertex_credentials: account.json,
      }),
      violations,
      aborted: () => aborted,
      stop: async () => {
        await server.stop(true);
      },
    };
  },
};
