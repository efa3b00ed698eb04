/**
 * The Gemini API (AI Studio) as the conformance suite's upstream: `POST {base}/v1beta/models/{model}`
 * `:generateContent` or `:streamGenerateContent?alt=sse`, keyed by `x-goog-api-key`. The `error-401`
 * deployment carries a key the mock refuses the way Google refuses one: 400 INVALID_ARGUMENT with
 * reason API_KEY_INVALID (the gateway must still tell its client 401).
 */
import { ERROR_MESSAGES, featureModel, featureOf, type ConformanceProvider, type ConformanceUpstream, type Feature } from "../contract.ts";
import { generateRoute, geminiServer, type GeminiRoute } from "./gemini-serve.ts";
import { googleError } from "./gemini-wire.ts";

/** The deployments' key (AI Studio keys are 39 characters starting `AIza`). */
const API_KEY = "AIzaSyConformanceGeminiKey0000000000000";
/** The key of the `error-401` deployment: well-formed, but not one Google knows. */
const REVOKED_KEY = "AIzaSyConformanceRevokedKey000000000000";

/** Google's answer to a key it does not know (recorded: test/fixtures/gemini/error-400-api-key.json). */
function apiKeyInvalid(): Response {
  const message = ERROR_MESSAGES["error-401"];
  return googleError(400, "INVALID_ARGUMENT", message, [
    { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
    { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message },
  ]);
}

/** Google's answer to a call with no credential at all. */
const unregistered = () =>
  googleError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", [
    { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "CONSUMER_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
  ]);

/** The path, method and key checks of the Gemini API. */
function route(method: string, url: URL, headers: Record<string, string>): GeminiRoute {
  const verdict = generateRoute(method, url, headers, "/v1beta/models/");
  if (verdict.problem) return verdict;
  const key = headers["x-goog-api-key"];
  if (key === undefined) return { ...verdict, denied: { response: unregistered(), why: "no x-goog-api-key header", expected: false } };
  if (key !== API_KEY) {
    const expected = featureOf(verdict.model) === "error-401" && key === REVOKED_KEY;
    return { ...verdict, denied: { response: apiKeyInvalid(), why: `x-goog-api-key '${key}' is not the deployment's key`, expected } };
  }
  if (url.searchParams.has("key")) return { ...verdict, problem: "the key was sent in the URL (?key=) as well as in x-goog-api-key" };
  return verdict;
}

/** Gemini (AI Studio): every feature, checked against the Gemini API's wire. */
export const geminiConformance: ConformanceProvider = {
  key: "gemini",
  async start(): Promise<ConformanceUpstream> {
    const mock = geminiServer("gemini");
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      // `abort` holds its stream open until the caller goes away.
      idleTimeout: 0,
      fetch: (request) => mock.answer(request, route),
    });
    const base = `http://127.0.0.1:${server.port}/v1beta`;
    return {
      entry: (feature: Feature) => ({ model: `gemini/${featureModel(feature)}`, api_base: base, api_key: feature === "error-401" ? REVOKED_KEY : API_KEY }),
      violations: mock.violations,
      aborted: () => mock.aborted.length,
      stop: async () => {
        await server.stop(true);
      },
    };
  },
};
