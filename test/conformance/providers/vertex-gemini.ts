/**
 * Gemini on Vertex AI as the conformance suite's upstream. One server plays both Google services:
 * the OAuth token endpoint the service account's `token_uri` names (it verifies the RS256 JWT
 * assertion against the account's public key, see test/fixtures/vertex/google-mock.ts) and
 * `POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}`
 * `:generateContent` / `:streamGenerateContent?alt=sse`, which takes only a token it issued.
 */
import { makeAccount, tokenEndpoint } from "../../fixtures/vertex/google-mock.ts";
import { ERROR_MESSAGES, featureModel, featureOf, type ConformanceProvider, type ConformanceUpstream, type Feature } from "../contract.ts";
import { generateRoute, geminiServer, type GeminiRoute } from "./gemini-serve.ts";
import { googleError } from "./gemini-wire.ts";

const PROJECT = "conformance-project";
/** Not the default location, so the gateway must take it from the deployment. */
const LOCATION = "europe-west4";
const PREFIX = `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/`;
const INVALID_CREDENTIALS =
  "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

/** Vertex AI's 401 (the `error-401` feature answers it to a token it issued, as for one since revoked). */
const unauthenticated = (message: string, reason: string) =>
  googleError(401, "UNAUTHENTICATED", message, [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason,
      domain: "googleapis.com",
      metadata: { service: "aiplatform.googleapis.com", method: "google.cloud.aiplatform.v1.PredictionService.GenerateContent" },
    },
  ]);

/** Gemini on Vertex AI: every feature, with a real service-account token exchange. */
export const vertexGeminiConformance: ConformanceProvider = {
  key: "vertex_ai (gemini)",
  async start(): Promise<ConformanceUpstream> {
    const mock = geminiServer("vertex");
    const issued = new Set<string>();
    let token: ((request: Request) => Promise<Response>) | undefined;

    const route = (method: string, url: URL, headers: Record<string, string>): GeminiRoute => {
      const verdict = generateRoute(method, url, headers, PREFIX);
      if (verdict.problem) return verdict;
      const bearer = /^Bearer (\S+)$/.exec(headers.authorization ?? "")?.[1];
      if (!bearer || !issued.has(bearer)) {
        const why = bearer ? `Authorization bearer '${bearer.slice(0, 24)}…' is not a token the token endpoint issued` : "no 'Authorization: Bearer <token>' header";
        return { ...verdict, denied: { response: unauthenticated(INVALID_CREDENTIALS, "CREDENTIALS_MISSING"), why, expected: false } };
      }
      if (headers["x-goog-api-key"] !== undefined) return { ...verdict, problem: "x-goog-api-key sent to Vertex AI alongside the OAuth token" };
      if (featureOf(verdict.model) === "error-401") return { ...verdict, denied: { response: unauthenticated(ERROR_MESSAGES["error-401"], "ACCESS_TOKEN_EXPIRED"), why: "", expected: true } };
      return verdict;
    };

    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      // `abort` holds its stream open until the caller goes away.
      idleTimeout: 0,
      fetch: (request) => (new URL(request.url).pathname === "/token" && token ? token(request) : mock.answer(request, route)),
    });
    const origin = `http://127.0.0.1:${server.port}`;
    const tokenUri = `${origin}/token`;
    const account = await makeAccount("conformance", tokenUri);
    const endpoint = tokenEndpoint({ account, now: Date.now });

    token = async (request) => {
      const seen = endpoint.state.problems.length;
      let answer: Response;
      try {
        answer = await endpoint.fetch(tokenUri, { method: request.method, headers: request.headers, body: await request.text() });
      } catch (error) {
        mock.violations.push(`token endpoint: unreadable assertion (${error instanceof Error ? error.message : String(error)})`);
        return Response.json({ error: "invalid_grant", error_description: "Invalid JWT Signature." }, { status: 400 });
      }
      const problems = endpoint.state.problems.slice(seen);
      mock.violations.push(...problems.map((problem) => `token endpoint: ${problem}`));
      const text = await answer.text();
      if (problems.length > 0) return Response.json({ error: "invalid_grant", error_description: problems.join("; ") }, { status: 400 });
      const granted = (JSON.parse(text) as { access_token?: string }).access_token;
      if (granted) issued.add(granted);
      return new Response(text, { status: answer.status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache, no-store, max-age=0, must-revalidate" } });
    };

    return {
      entry: (feature: Feature) => ({
        model: `vertex_ai/${featureModel(feature)}`,
        api_base: origin,
        vertex_project: PROJECT,
        vertex_location: LOCATION,
        vertex_credentials: account.json,
      }),
      violations: mock.violations,
      aborted: () => mock.aborted.length,
      stop: async () => {
        await server.stop(true);
      },
    };
  },
};
