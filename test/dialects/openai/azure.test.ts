/**
 * The Azure OpenAI wire, as LiteLLM serves it: the official `AzureOpenAI` client (openai npm
 * package) with the gateway as its endpoint, a deployment naming the model, an api-version and a
 * virtual key in `api-key`. The calls run through the same pipeline as /v1 (keys, model access,
 * spend), so only what the Azure routes add is checked here.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { APIError, AzureOpenAI } from "openai";
import type { GeneratedKeyJson, KeyInfoJson } from "../../../src/admin/responses.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../../support/accounts.ts";
import { recordsSettled } from "../../support/build-test-app.ts";
import { OK_TEXT, OK_WORDS, startMockUpstream, type MockUpstream } from "../../support/mock-upstream.ts";
import { useTempDir } from "../../support/temp-dir.ts";

const API_VERSION = "2024-10-21";
/** Priced, and scripted by the mock like `ok`. */
const CHAT = "gpt-4o-2024-08-06";
/** gpt-4o prices on the mock's `ok` usage (see test/integration/cost.test.ts). */
const CALL_USD = 0.0000825;
const tmp = useTempDir("switchboard-azure-wire-");
let upstream: MockUpstream;
let gateway: AccountsGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway(
    {
      models: [
        // The group is named as its upstream model: the body's own `model` must not reach the upstream as sent.
        { model_name: CHAT, model: `openai/${CHAT}`, api_base: upstream.url, api_key: "sk-upstream-azure-tests" },
        // A name with a slash: the client sends it escaped in the path (%2F).
        { model_name: "team/chat", model: `openai/${CHAT}`, api_base: upstream.url, api_key: "sk-upstream-azure-tests" },
        { model_name: "embedder", model: "openai/text-embedding-3-small", api_base: upstream.url, api_key: "sk-upstream-azure-tests" },
      ],
    },
    { dataDir },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const generate = async (body: Record<string, unknown> = {}): Promise<GeneratedKeyJson> => {
  const answer = await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", body);
  if (answer.status !== 200) throw new Error(`/key/generate answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
};
const azure = (apiKey: string, deployment: string) => new AzureOpenAI({ endpoint: gateway.origin, deployment, apiVersion: API_VERSION, apiKey, maxRetries: 0 });

/** The API error a call rejects with (fails the test when it resolves or fails otherwise). */
async function failure(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("the AzureOpenAI client against the gateway", () => {
  test("buffered chat: the deployment names the model, whatever the body's model says", async () => {
    const { key } = await generate();
    const before = upstream.requests.length;
    const answer = await azure(key, CHAT).chat.completions.create({ model: "some-other-name", messages: [{ role: "user", content: "hello" }] });
    expect(answer.choices[0]?.message.content).toBe(OK_TEXT);
    const sent = upstream.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.path).toBe("/v1/chat/completions");
    expect(sent[0]?.body.model).toBe(CHAT);
    expect(sent[0]?.invalid).toBeUndefined();
    // The client's key never goes upstream; the deployment's does.
    expect(sent[0]?.headers.authorization).toBe("Bearer sk-upstream-azure-tests");
    expect(sent[0]?.headers["api-key"]).toBeUndefined();
  });

  test("streamed chat", async () => {
    const { key } = await generate();
    const stream = await azure(key, CHAT).chat.completions.create({ model: CHAT, messages: [{ role: "user", content: "hello" }], stream: true });
    const deltas: string[] = [];
    for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? "");
    expect(deltas.join("")).toBe(OK_WORDS.join(""));
  });

  test("embeddings", async () => {
    const { key } = await generate();
    const before = upstream.requests.length;
    const answer = await azure(key, "embedder").embeddings.create({ model: "", input: ["one", "two"] });
    expect(answer.data).toHaveLength(2);
    expect(answer.data[0]?.embedding).toHaveLength(8);
    const sent = upstream.requests.slice(before);
    expect(sent.map((r) => [r.path, r.body.model])).toEqual([["/v1/embeddings", "text-embedding-3-small"]]);
  });

  test("the calls are the key's: recorded under the deployment's model and charged to the key", async () => {
    const { key } = await generate({ key_alias: "azure-spend" });
    const count = gateway.records.length;
    await azure(key, CHAT).chat.completions.create({ model: "ignored", messages: [{ role: "user", content: "hello" }] });
    const records = await recordsSettled(gateway, count + 1);
    expect(records.at(-1)).toMatchObject({ model: CHAT, operation: "chat", status: 200, outcome: "ok" });
    const info = await gateway.admin<KeyInfoJson>("GET", `/key/info?key=${key}`);
    expect(info.body.info).toMatchObject({ key_alias: "azure-spend", spend: CALL_USD });
  });

  test("a key without access to the deployment's model gets 403 key_model_access_denied", async () => {
    const { key } = await generate({ models: ["embedder"] });
    const denied = await failure(azure(key, CHAT).chat.completions.create({ model: "embedder", messages: [{ role: "user", content: "hello" }] }));
    expect(denied.status).toBe(403);
    expect(denied.type).toBe("key_model_access_denied");
    expect((denied.error as { message: string }).message).toContain(`key not allowed to access model '${CHAT}'`);
    // The same key reaches the model it may use, by the deployment.
    expect((await azure(key, "embedder").embeddings.create({ model: CHAT, input: "one" })).data).toHaveLength(1);
  });

  test("a deployment whose name holds a slash", async () => {
    const { key } = await generate({ models: ["team/chat"] });
    const answer = await azure(key, "team/chat").chat.completions.create({ model: "team/chat", messages: [{ role: "user", content: "hello" }] });
    expect(answer.choices[0]?.message.content).toBe(OK_TEXT);
  });

  test("a deployment that is not a model is a 404 naming it", async () => {
    const { key } = await generate();
    const missing = await failure(azure(key, "no-such-deployment").chat.completions.create({ model: CHAT, messages: [{ role: "user", content: "hello" }] }));
    expect(missing.status).toBe(404);
    expect(missing.message).toContain("'no-such-deployment'");
  });

  test("a wrong key is a 401", async () => {
    const wrong = await failure(azure(`sk-${"A".repeat(43)}`, "ok").chat.completions.create({ model: CHAT, messages: [{ role: "user", content: "hello" }] }));
    expect(wrong.status).toBe(401);
  });
});

describe("the wire itself", () => {
  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    fetch(`${gateway.origin}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  test("no key is a 401 in OpenAI's shape", async () => {
    const response = await post(`/openai/deployments/${CHAT}/chat/completions?api-version=${API_VERSION}`, {}, { messages: [{ role: "user", content: "hello" }] });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.message).toContain("Missing API key");
  });

  test("a body without `model` (Azure's REST API has none), without api-version, with the master key in api-key", async () => {
    const chat = await post(`/openai/deployments/${CHAT}/chat/completions`, { "api-key": TEST_MASTER_KEY }, { messages: [{ role: "user", content: "hello" }] });
    expect(chat.status).toBe(200);
    expect(((await chat.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(OK_TEXT);
    const embeddings = await post("/openai/deployments/embedder/embeddings?api-version=2023-05-15", { "api-key": TEST_MASTER_KEY }, { input: "one" });
    expect(embeddings.status).toBe(200);
  });

  test("the body is still checked: no messages is a 400", async () => {
    const response = await post(`/openai/deployments/${CHAT}/chat/completions`, { "api-key": TEST_MASTER_KEY }, { model: CHAT });
    expect(response.status).toBe(400);
  });

  test("the routes are in the OpenAPI document and in /routes", async () => {
    const document = (await (await fetch(`${gateway.origin}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; security: Record<string, unknown>[] }>>;
      components: { securitySchemes: Record<string, { in?: string; name?: string }> };
    };
    expect(document.components.securitySchemes.azureApiKey).toMatchObject({ in: "header", name: "api-key" });
    expect(document.paths["/v1/chat/completions"]?.post?.security).toContainEqual({ azureApiKey: [] });
    for (const path of ["/openai/deployments/{deployment}/chat/completions", "/openai/deployments/{deployment}/embeddings"]) {
      const parameters = document.paths[path]?.post?.parameters ?? [];
      expect(parameters.map((p) => `${p.in}:${p.name}`)).toEqual(["path:deployment", "query:api-version"]);
    }
    const listed = (await (await fetch(`${gateway.origin}/routes`)).json()) as { routes: { path: string }[] };
    expect(listed.routes.map((r) => r.path)).toContain("/openai/deployments/{deployment}/chat/completions");
  });
});
