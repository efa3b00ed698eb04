/**
 * Vertex AI for the pass-through tests. One server plays both Google parts: the OAuth token endpoint
 * (`POST /token`, the service accounts' `token_uri`; each RS256 JWT assertion verified against the
 * account's public key, see test/fixtures/vertex/google-mock.ts) and Vertex AI's REST API, which
 * takes only a token that endpoint issued, never an API key. Every API request is recorded as it
 * arrived (query included); one that breaks Vertex AI's rules is answered 401/400 with the reason
 * in `invalid`. Answers, by path:
 *
 * | path                                                      | answers |
 * | --------------------------------------------------------- | ------- |
 * | `…/publishers/google/models/{m}:{method}`                 | mock-native's Gemini answers (JSON, SSE with `alt=sse`, else a JSON array in pieces) |
 * | `…/publishers/google/models/stall:streamGenerateContent`  | one SSE event, then nothing until the caller goes away |
 * | `…/publishers/google/models/{m}:predict`                  | a text embedding per instance, `EMBED_TOKENS` tokens each |
 * | `…/publishers/anthropic/models/claude-{s}@{v}:rawPredict`, `:streamRawPredict` | mock-anthropic's answer for its model `{s}` (`text`, `tools`, `stall`, …); the body must carry `anthropic_version: "vertex-2023-10-16"` and no `model` |
 * | `…/publishers/anthropic/models/count-tokens:rawPredict`   | mock-anthropic's token count, for the body's `model` (`claude-{s}@{v}`) |
 * | anything else                                             | 200 `{path, method}` |
 */
import { makeAccount, tokenEndpoint, type TestAccount } from "../fixtures/vertex/google-mock.ts";
import { startMockAnthropic, type MockAnthropic } from "./mock-anthropic.ts";
import { geminiAnswer, pieces, sse, type NativeRequest } from "./mock-native.ts";
import { recordRequest, type RecordedRequest } from "./recording.ts";

export interface MockVertex {
  /** `http://127.0.0.1:PORT`: a deployment's `api_base`. */
  url: string;
  /** API requests, in order (token requests are not among them). */
  requests: NativeRequest[];
  aborted: RecordedRequest[];
  /** Access tokens the token endpoint issued, and the service account (client_email) each was issued to. */
  issued: Map<string, string>;
  /** What the token endpoint found wrong with an assertion (nothing, when the gateway signs as Google wants). */
  tokenProblems: string[];
  /** Stops taking `token` (as Google does a revoked one): calls with it are answered 401. */
  revoke(token: string): void;
  /** A service account whose `token_uri` is this mock's. */
  account(name: string): Promise<TestAccount>;
  stop(): Promise<void>;
}

/** Tokens each text-embedding instance counts. */
export const EMBED_TOKENS = 6;
const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";
const SSE = { "content-type": "text/event-stream" };
const MODEL_CALL = /\/publishers\/([^/]+)\/models\/([^/:]+):(\w+)$/;

/** Google's error envelope. */
const googleError = (code: number, status: string, message: string) => Response.json({ error: { code, message, status } }, { status: code });

/** The mock-anthropic script a Claude model id names: `claude-{script}@{version}` -> `{script}`. */
const scriptOf = (model: string) => model.replace(/^claude-/, "").replace(/@.*$/, "");

/** Claude's call, answered by mock-anthropic as Anthropic would answer the same body with the model named. */
async function claude(anthropic: MockAnthropic, model: string, body: Record<string, unknown>): Promise<Response> {
  const { anthropic_version: _version, ...rest } = body;
  const counting = model === "count-tokens";
  const answer = await fetch(`${anthropic.url}/messages${counting ? "/count_tokens" : ""}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "vertex-mock", "anthropic-version": "2023-06-01" },
    body: JSON.stringify(counting ? { ...rest, model: scriptOf(String(rest.model)) } : { model, ...rest }),
  });
  return new Response(answer.body, { status: answer.status, headers: { "content-type": answer.headers.get("content-type") ?? "application/json" } });
}

/** Starts the mock on 127.0.0.1 and a free port, with its own mock Anthropic behind Claude's calls. */
export async function startMockVertex(): Promise<MockVertex> {
  const anthropic = await startMockAnthropic();
  const requests: NativeRequest[] = [];
  const aborted: RecordedRequest[] = [];
  const issued = new Map<string, string>();
  const tokenProblems: string[] = [];
  const revoked = new Set<string>();
  const endpoints = new Map<string, ReturnType<typeof tokenEndpoint>>();
  let origin = "";

  /** The token endpoint: the account named by the assertion's `iss` verifies it. */
  async function token(request: Request): Promise<Response> {
    const form = await request.text();
    const assertion = new URLSearchParams(form).get("assertion") ?? "";
    const claims = JSON.parse(Buffer.from(assertion.split(".")[1] ?? "", "base64url").toString("utf8") || "{}") as { iss?: string };
    const endpoint = endpoints.get(claims.iss ?? "");
    if (!endpoint) return Response.json({ error: "invalid_grant", error_description: "unknown account" }, { status: 400 });
    const seen = endpoint.state.problems.length;
    const answer = await endpoint.fetch(`${origin}/token`, { method: request.method, headers: request.headers, body: form });
    tokenProblems.push(...endpoint.state.problems.slice(seen));
    const body = (await answer.json()) as { access_token?: string };
    // Each account's endpoint counts its own tokens: the account's name keeps them apart.
    if (body.access_token) {
      body.access_token = `${body.access_token}.${(claims.iss ?? "").split("@")[0]}`;
      issued.set(body.access_token, claims.iss ?? "");
    }
    return Response.json(body, { status: answer.status });
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // `stall` holds its stream open until the caller goes away.
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/token") return token(request);
      const { recorded, markAnswered, track } = await recordRequest(request, [], aborted);
      requests.push({ ...recorded, search: url.search });
      const refuse = (response: Response, why: string) => {
        recorded.invalid = why;
        (requests.at(-1) as NativeRequest).invalid = why;
        markAnswered();
        return response;
      };
      const bearer = /^Bearer (\S+)$/.exec(recorded.headers.authorization ?? "")?.[1];
      if (!bearer || !issued.has(bearer) || revoked.has(bearer)) return refuse(googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token."), `no issued bearer token (${recorded.headers.authorization ?? "none"})`);
      if (recorded.headers["x-goog-api-key"] !== undefined) return refuse(googleError(400, "INVALID_ARGUMENT", "API keys are not supported with OAuth."), "x-goog-api-key sent alongside the token");
      const call = MODEL_CALL.exec(url.pathname);
      if (!call) return track(Response.json({ path: url.pathname, method: request.method }));
      const [, publisher, model, method] = call as unknown as [string, string, string, string];
      if (publisher === "anthropic") {
        const body = recorded.body as Record<string, unknown> | undefined;
        if (body?.anthropic_version !== VERTEX_ANTHROPIC_VERSION) return refuse(googleError(400, "INVALID_ARGUMENT", "anthropic_version: vertex-2023-10-16 is required"), "no anthropic_version");
        if (model !== "count-tokens" && body.model !== undefined) return refuse(googleError(400, "INVALID_ARGUMENT", "model: Extra inputs are not permitted"), "a model in the body");
        return track(await claude(anthropic, model === "count-tokens" ? model : scriptOf(model), body));
      }
      if (model === "stall") return track(new Response(pieces(sse([{ candidates: [{ content: { role: "model", parts: [{ text: "wait" }] } }] }]), request.signal), { headers: SSE }));
      if (method === "predict") {
        const instances = Array.isArray(recorded.body?.instances) ? recorded.body.instances : [];
        const predictions = instances.map(() => ({ embeddings: { values: [0.25, -0.5, 0.125], statistics: { token_count: EMBED_TOKENS, truncated: false } } }));
        return track(Response.json({ predictions, metadata: { billableCharacterCount: 12 } }));
      }
      return track(geminiAnswer(method, url.searchParams));
    },
  });
  origin = `http://127.0.0.1:${server.port}`;
  return {
    url: origin,
    requests,
    aborted,
    issued,
    tokenProblems,
    revoke: (token) => revoked.add(token),
    async account(name) {
      const account = await makeAccount(name, `${origin}/token`);
      endpoints.set(account.email, tokenEndpoint({ account, now: Date.now }));
      return account;
    },
    stop: async () => {
      await server.stop(true);
      await anthropic.stop();
    },
  };
}
