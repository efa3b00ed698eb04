/**
 * `/vertex_ai/*` over plain HTTP, the way LiteLLM's docs call it (curl with `x-litellm-api-key`, the
 * full `v1/projects/…/locations/…` path or the resource alone): the credential's OAuth token, project
 * and location; Gemini's methods (a stream with and without `alt=sse`), Claude's rawPredict and
 * streamRawPredict with `@` in the model id, token counts, text embeddings; the key's model
 * allow-list; the `use_in_pass_through` deployment of the path's place; the environment's
 * credential; a disconnect aborting the upstream.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson, SpendLogJson } from "../../src/admin/responses.ts";
import { PASSTHROUGH_PROVIDERS } from "../../src/passthrough/registry.ts";
import { passthroughSettings } from "../../src/passthrough/upstreams.ts";
import { embeddedPrices } from "../../src/pricing/load.ts";
import { makeAccount, type TestAccount } from "../fixtures/vertex/google-mock.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startGateway } from "../support/build-test-app.ts";
import { TEXT_ANSWER } from "../support/mock-anthropic.ts";
import { GEMINI_TEXT, geminiAnswer, type NativeRequest } from "../support/mock-native.ts";
import { EMBED_TOKENS, startMockVertex, type MockVertex } from "../support/mock-vertex.ts";
import { waitFor } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-vertex-passthrough-");
const CLAUDE = "claude-text@20250929";
const CLAUDE_PRICE = { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 };

let vertex: MockVertex;
let deploy: TestAccount;
let lent: TestAccount;
let gateway: AccountsGateway;
/** Allowed the Gemini deployment only. */
let narrow: GeneratedKeyJson;
/** No model allow-list. */
let open: GeneratedKeyJson;

beforeAll(async () => {
  vertex = await startMockVertex();
  deploy = await vertex.account("deploy");
  lent = await vertex.account("lent");
  // Its token_uri is the mock's, which does not know it: every exchange is refused.
  const stranger = await makeAccount("stranger", `${vertex.url}/token`);
  const at = (account: TestAccount, project: string, location: string) => ({ vertex_credentials: account.json, vertex_project: project, vertex_location: location, api_base: vertex.url });
  gateway = await startAccountsGateway(
    {
      models: [
        { model_name: "vx-flash", model: "vertex_ai/gemini-2.0-flash", ...at(deploy, "deploy-project", "europe-west4"), price: { input: 0.1, output: 0.4, cache_read: 0.025 } },
        { model_name: "vx-claude", model: `vertex_ai/${CLAUDE}`, ...at(deploy, "deploy-project", "us-east5"), price: CLAUDE_PRICE },
        { model_name: "vx-embed", model: "vertex_ai/text-embedding-005", ...at(deploy, "deploy-project", "us-central1"), price: { input: 0.025, output: 0 } },
        // Lent to pass-through, in two places: the path's place picks one, else the first.
        { model_name: "vx-lent", model: "vertex_ai/gemini-lent", ...at(lent, "lent-project", "us-central1"), use_in_pass_through: true },
        { model_name: "vx-asia", model: "vertex_ai/gemini-asia", ...at(lent, "asia-project", "asia-northeast1"), use_in_pass_through: true },
        { model_name: "vx-stranger", model: "vertex_ai/gemini-stranger", ...at(stranger, "stranger-project", "us-central1") },
      ],
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
  narrow = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { key_alias: "vertex-narrow", models: ["vx-flash"] })).body;
  open = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { key_alias: "vertex-open" })).body;
});
afterAll(async () => {
  await gateway?.stop();
  await vertex?.stop();
});

/** A call as LiteLLM's docs write it: the virtual key in `x-litellm-api-key`. */
const post = (path: string, body: unknown, key = open.key, headers: Record<string, string> = {}) =>
  fetch(`${gateway.origin}/vertex_ai/${path}`, { method: "POST", headers: { "content-type": "application/json", "x-litellm-api-key": `Bearer ${key}`, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

/** The ledger row of a call, once the ledger has it. */
async function rowOf(response: Response): Promise<SpendLogJson> {
  const callId = response.headers.get("x-switchboard-call-id");
  let row: SpendLogJson | undefined;
  for (let i = 0; i < 100 && !row; i++) {
    row = (await gateway.admin<SpendLogJson[]>("GET", "/spend/logs")).body.find((entry) => entry.call_id === callId);
    if (!row) await Bun.sleep(20);
  }
  if (!row) throw new Error(`no ledger row for ${callId}`);
  return row;
}

/** The gateway's record of a call. */
const recordOf = (response: Response) => gateway.records.find((record) => record.callId === response.headers.get("x-switchboard-call-id"));

/** What arrived upstream was Vertex AI's: a token the account's exchange issued, no key of the client's, the body as sent. */
function expectVertexWire(received: NativeRequest | undefined, account: TestAccount, bodyText: string): void {
  expect(received?.invalid).toBeUndefined();
  const bearer = /^Bearer (\S+)$/.exec(received?.headers.authorization ?? "")?.[1];
  expect(vertex.issued.get(bearer as string)).toBe(account.email);
  for (const key of [open.key, narrow.key]) expect(JSON.stringify(received?.headers)).not.toContain(key);
  expect(received?.headers["x-litellm-api-key"]).toBeUndefined();
  expect(received?.bodyText).toBe(bodyText);
}

const GEMINI_BODY = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hello Vertex" }] }], generationConfig: { maxOutputTokens: 32 } });

describe("Gemini models", () => {
  test("generateContent at the client's place goes to the deployment's project, location and service account", async () => {
    const before = vertex.requests.length;
    const response = await post("v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent", GEMINI_BODY, narrow.key);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ candidates: [{ content: { parts: [{ text: GEMINI_TEXT }, {}] } }] });
    const received = vertex.requests[before];
    expect(received?.path).toBe("/v1/projects/deploy-project/locations/europe-west4/publishers/google/models/gemini-2.0-flash:generateContent");
    expectVertexWire(received, deploy, GEMINI_BODY);
    expect(response.headers.get("x-switchboard-model-id")).toBe("vx-flash");
    const row = await rowOf(response);
    expect(row).toMatchObject({ call_type: "pass_through_endpoint", model: "vx-flash", upstream_model: "gemini-2.0-flash", custom_llm_provider: "vertex_ai", key_alias: "vertex-narrow", prompt_tokens: 31, completion_tokens: 13, cache_read_input_tokens: 16 });
    expect(row.spend).toBeCloseTo((15 * 0.1 + 16 * 0.025 + 13 * 0.4) / 1e6, 12);
  });

  test("without alt=sse a stream is Gemini's JSON array, relayed byte for byte and booked from its last element", async () => {
    const before = vertex.requests.length;
    const response = await post("v1beta1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:streamGenerateContent", GEMINI_BODY);
    expect(await response.text()).toBe(await geminiAnswer("streamGenerateContent", new URLSearchParams()).text());
    expect(vertex.requests[before]?.path).toBe("/v1beta1/projects/deploy-project/locations/europe-west4/publishers/google/models/gemini-2.0-flash:streamGenerateContent");
    expect(vertex.requests[before]?.search).toBe("");
    const row = await rowOf(response);
    expect(row).toMatchObject({ model: "vx-flash", prompt_tokens: 31, completion_tokens: 13 });
    expect(recordOf(response)).toMatchObject({ stream: true, outcome: "ok" });
  });

  test("the resource alone (LiteLLM's short form) gets v1 and the credential's place; countTokens is free", async () => {
    const before = vertex.requests.length;
    const response = await fetch(`${gateway.origin}/vertex_ai/publishers/google/models/gemini-2.0-flash:countTokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${narrow.key}`, "content-type": "application/json" },
      body: GEMINI_BODY,
    });
    expect(await response.json()).toEqual({ totalTokens: 31 });
    expect(vertex.requests[before]?.path).toBe("/v1/projects/deploy-project/locations/europe-west4/publishers/google/models/gemini-2.0-flash:countTokens");
    expectVertexWire(vertex.requests[before], deploy, GEMINI_BODY);
    expect(await rowOf(response)).toMatchObject({ model: "vx-flash", spend: 0 });
  });

  test("a model outside the key's list is refused before anything goes upstream", async () => {
    const before = vertex.requests.length;
    const response = await post(`v1/projects/p/locations/l/publishers/anthropic/models/${CLAUDE}:rawPredict`, { anthropic_version: "vertex-2023-10-16", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }, narrow.key);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({ type: "key_model_access_denied" });
    expect(vertex.requests.length).toBe(before);
  });
});

describe("Claude models (publishers/anthropic)", () => {
  const body = (extra: Record<string, unknown> = {}) => JSON.stringify({ anthropic_version: "vertex-2023-10-16", max_tokens: 64, messages: [{ role: "user", content: "Say hello." }], ...extra });

  test("rawPredict: an Anthropic Messages body as sent, the model id with '@' in the path; booked from Anthropic's usage", async () => {
    const before = vertex.requests.length;
    const sent = body();
    const response = await post(`v1/projects/p/locations/us-east5/publishers/anthropic/models/${CLAUDE}:rawPredict`, sent);
    expect(await response.json()).toMatchObject({ type: "message", content: [{ type: "text", text: TEXT_ANSWER }] });
    expect(vertex.requests[before]?.path).toBe(`/v1/projects/deploy-project/locations/us-east5/publishers/anthropic/models/${CLAUDE}:rawPredict`);
    expectVertexWire(vertex.requests[before], deploy, sent);
    // 21 uncached at $3, 1,860 cache reads at $0.30, 12 out at $15 per million.
    expect(await rowOf(response)).toMatchObject({ model: "vx-claude", upstream_model: CLAUDE, prompt_tokens: 1881, completion_tokens: 12, cache_read_input_tokens: 1860, spend: 0.000801 });
  });

  test("streamRawPredict: Anthropic's SSE events relayed as sent, booked from message_start and message_delta", async () => {
    const response = await post(`v1/projects/p/locations/us-east5/publishers/anthropic/models/${CLAUDE}:streamRawPredict`, body({ stream: true }));
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const text = await response.text();
    expect(text).toStartWith("event: message_start\n");
    expect(text).toContain("event: message_stop");
    expect(await waitFor(() => recordOf(response) !== undefined, 2000)).toBe(true);
    expect(recordOf(response)).toMatchObject({ stream: true, outcome: "ok", usage: { input: 1881, output: 12, cacheRead: 1860 }, costNano: 801_000 });
  });

  test("count-tokens: the counted model is the body's, its allow-list checked; a free call", async () => {
    const before = vertex.requests.length;
    const sent = JSON.stringify({ anthropic_version: "vertex-2023-10-16", model: CLAUDE, messages: [{ role: "user", content: "one two three" }] });
    const response = await post("v1/projects/p/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict", sent);
    expect(((await response.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expectVertexWire(vertex.requests[before], deploy, sent);
    expect(await rowOf(response)).toMatchObject({ model: "vx-claude", spend: 0 });
    const refused = await post("v1/projects/p/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict", sent, narrow.key);
    expect(refused.status).toBe(403);
  });
});

describe("embeddings, places and credentials", () => {
  test("text embeddings (:predict) are booked from each prediction's token count", async () => {
    const sent = JSON.stringify({ instances: [{ content: "first" }, { content: "second" }], parameters: { outputDimensionality: 3 } });
    const response = await post("v1/projects/p/locations/us-central1/publishers/google/models/text-embedding-005:predict", sent);
    expect(((await response.json()) as { predictions: unknown[] }).predictions).toHaveLength(2);
    expectVertexWire(vertex.requests.at(-1), deploy, sent);
    const row = await rowOf(response);
    expect(row).toMatchObject({ model: "vx-embed", prompt_tokens: 2 * EMBED_TOKENS, completion_tokens: 0 });
    expect(row.spend).toBeCloseTo((2 * EMBED_TOKENS * 0.025) / 1e6, 12);
  });

  test("a model no deployment serves goes to the use_in_pass_through deployment of the path's place, else the first one", async () => {
    const before = vertex.requests.length;
    const asia = await post("v1/projects/asia-project/locations/asia-northeast1/publishers/google/models/gemini-2.5-pro:generateContent", GEMINI_BODY);
    expect(asia.status).toBe(200);
    expect(asia.headers.get("x-switchboard-model-id")).toBe("vx-asia");
    expect(vertex.requests[before]?.path).toBe("/v1/projects/asia-project/locations/asia-northeast1/publishers/google/models/gemini-2.5-pro:generateContent");
    expectVertexWire(vertex.requests[before], lent, GEMINI_BODY);
    const elsewhere = await post("v1/projects/unknown/locations/us-west1/publishers/google/models/gemini-2.5-pro:generateContent", GEMINI_BODY);
    expect(elsewhere.headers.get("x-switchboard-model-id")).toBe("vx-lent");
    expect(vertex.requests[before + 1]?.path).toBe("/v1/projects/lent-project/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent");
    // Priced from the price data (Google's rows), as no deployment prices it.
    expect((await rowOf(asia)).spend).toBeGreaterThan(0);
  });

  test("a call of no model is open to every key, in the lent deployment's place, free", async () => {
    const before = vertex.requests.length;
    const response = await fetch(`${gateway.origin}/vertex_ai/v1/projects/mine/locations/us-central1/operations/op-1`, { headers: { "x-goog-api-key": narrow.key } });
    expect(await response.json()).toEqual({ path: "/v1/projects/lent-project/locations/us-central1/operations/op-1", method: "GET" });
    expectVertexWire(vertex.requests[before], lent, "");
    expect(await rowOf(response)).toMatchObject({ model: "", spend: 0, model_id: "vx-lent" });
  });

  test("a client that goes away mid-stream aborts the upstream; the call is booked as cancelled", async () => {
    const controller = new AbortController();
    const response = await fetch(`${gateway.origin}/vertex_ai/v1/projects/p/locations/l/publishers/google/models/stall:streamGenerateContent?alt=sse`, {
      method: "POST",
      headers: { authorization: `Bearer ${open.key}`, "content-type": "application/json" },
      body: GEMINI_BODY,
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("wait");
    controller.abort();
    expect(await waitFor(() => vertex.aborted.some((request) => request.path.includes("/models/stall:")), 3000)).toBe(true);
    expect(await waitFor(() => gateway.records.some((record) => record.upstreamModel === "stall" && record.outcome === "cancelled"), 3000)).toBe(true);
  });

  test("a token Google refuses stops the call before Vertex AI: a 401 naming the service account, never its key", async () => {
    const before = vertex.requests.length;
    const response = await post("v1/projects/p/locations/l/publishers/google/models/gemini-stranger:generateContent", GEMINI_BODY);
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toContain("Google refused an access token for Google service account stranger@");
    expect(text).not.toContain("PRIVATE KEY");
    expect(vertex.requests.length).toBe(before);
    expect(recordOf(response)).toMatchObject({ outcome: "error", errorCode: "provider.unauthenticated", deploymentId: "vx-stranger" });
  });

  test("the token exchange signed each assertion as Google checks it, once per account", () => {
    expect(vertex.tokenProblems).toEqual([]);
    expect([...vertex.issued.values()].sort()).toEqual([deploy.email, lent.email].sort());
  });

  test("without a Vertex AI credential the route answers 404 saying what to set", async () => {
    const bare = await startGateway({}, { masterKey: "sk-master-vertex-bare-0001" });
    try {
      const response = await fetch(`${bare.origin}/vertex_ai/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:generateContent`, {
        method: "POST",
        headers: { authorization: "Bearer sk-master-vertex-bare-0001", "content-type": "application/json" },
        body: GEMINI_BODY,
      });
      expect(response.status).toBe(404);
      const { message } = ((await response.json()) as { error: { message: string } }).error;
      expect(message).toContain("use_in_pass_through");
      expect(message).toContain("DEFAULT_GOOGLE_APPLICATION_CREDENTIALS");
    } finally {
      await bare.stop();
    }
  });
});

describe("the environment's credential", () => {
  const standing = (env: Record<string, string>) => passthroughSettings(PASSTHROUGH_PROVIDERS, {}, env, embeddedPrices()).standing.get("vertex_ai");

  test("LiteLLM's DEFAULT_* variables: the service account file, project and location; the host is the location's", async () => {
    const file = await tmp.file("sa.json", deploy.json);
    const upstream = standing({ DEFAULT_GOOGLE_APPLICATION_CREDENTIALS: file, DEFAULT_VERTEXAI_PROJECT: "env-project", DEFAULT_VERTEXAI_LOCATION: "asia-northeast1" });
    expect(upstream).toMatchObject({ id: "vertex_ai/environment", root: "https://asia-northeast1-aiplatform.googleapis.com", target: { project: "env-project", region: "asia-northeast1", googleCredentials: deploy.json } });
  });

  test("the translated provider's variables, the account's own project, and the global endpoint", async () => {
    const file = await tmp.file("sa-global.json", deploy.json);
    expect(standing({ GOOGLE_APPLICATION_CREDENTIALS: file, VERTEXAI_LOCATION: "global" })).toMatchObject({ root: "https://aiplatform.googleapis.com", target: { project: "test-project", region: "global" } });
    expect(standing({ GOOGLE_APPLICATION_CREDENTIALS: file })?.root).toBe("https://us-central1-aiplatform.googleapis.com");
  });

  test("none without a service account, or with one that cannot be read", async () => {
    expect(standing({ DEFAULT_VERTEXAI_PROJECT: "p" })).toBeUndefined();
    expect(standing({ GOOGLE_APPLICATION_CREDENTIALS: await tmp.file("user.json", JSON.stringify({ type: "authorized_user" })) })).toBeUndefined();
  });
});
