/**
 * Pass-through endpoints from config, over HTTP against a mock target: the endpoint's headers are
 * set and the body arrives byte for byte; the client's key and credential headers never leave;
 * `include_subpath`, `forward_headers`, `auth` on and off, `cost_per_request` in the ledger and in
 * strict budgets, streams relayed chunk by chunk with a disconnect aborting the upstream, redirects
 * refused, and the target never named to clients.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson, SpendLogJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { startCanary, type Canary } from "../support/canary.ts";
import { startMockNative, type MockNative } from "../support/mock-native.ts";
import { waitFor } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-passthrough-configured-");
const UPSTREAM_TOKEN = "bria-upstream-token-5e8c1a";
const UPSTREAM_BEARER = "sk-upstream-exact-77c2d9e1";

let mock: MockNative;
let canary: Canary;
let gateway: AccountsGateway;
let key: string;

beforeAll(async () => {
  mock = await startMockNative();
  canary = await startCanary();
  gateway = await startAccountsGateway(
    {
      pass_through_endpoints: [
        { path: "/bria", target: `${mock.url}/base?fixed=1`, include_subpath: true, headers: { api_token: UPSTREAM_TOKEN }, cost_per_request: 0.25, default_query_params: { d: "x", fixed: "default" } },
        { path: "/exact", target: `${mock.url}/only/this`, forward_headers: true, headers: { Authorization: `Bearer ${UPSTREAM_BEARER}` } },
        { path: "/echo", target: `${mock.url}/base/error-echo`, headers: { Authorization: `Bearer ${UPSTREAM_BEARER}` }, cost_per_request: 1 },
        { path: "/public", target: `${mock.url}/pub`, auth: false, include_subpath: true, forward_headers: true },
      ],
    },
    { dataDir: dirname(await tmp.file("marker", "")), budgetMode: "strict" },
  );
  key = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { key_alias: "configured" })).body.key;
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
  await canary?.stop();
});

/** The ledger row of a call, once the ledger has it. */
async function rowOf(callId: string | null): Promise<SpendLogJson> {
  let row: SpendLogJson | undefined;
  for (let i = 0; i < 100 && !row; i++) {
    row = (await gateway.admin<SpendLogJson[]>("GET", "/spend/logs")).body.find((entry) => entry.call_id === callId);
    if (!row) await Bun.sleep(20);
  }
  if (!row) throw new Error(`no ledger row for ${callId}`);
  return row;
}

const lastRequest = () => mock.requests.at(-1);

describe("what goes up", () => {
  test("the endpoint's headers are set and the body arrives byte for byte; the client's key, credentials and other headers stay behind", async () => {
    const body = 'héllo ✓\r\n{ "spaced" :  1 ,"n":1.50 }\n';
    const response = await fetch(`${gateway.origin}/bria/v1/text-to-image/base/2.3?c=2&fixed=client&key=${key}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "x-api-key": key, "content-type": "text/plain; charset=utf-8", "x-custom": "yes", cookie: "session=abc", "x-forwarded-for": "10.1.2.3" },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: "/base/v1/text-to-image/base/2.3", method: "POST" });
    const seen = lastRequest();
    expect(seen?.bodyText).toBe(body);
    expect(seen?.headers.api_token).toBe(UPSTREAM_TOKEN);
    expect(seen?.headers["content-type"]).toBe("text/plain; charset=utf-8");
    for (const name of ["authorization", "x-api-key", "x-custom", "cookie", "x-forwarded-for"]) expect(`${name}: ${seen?.headers[name]}`).toBe(`${name}: undefined`);
    expect(JSON.stringify(seen)).not.toContain(key);
    // The client's parameters win over the target URL's, which win over the defaults; `key` never goes up.
    expect(new URLSearchParams(seen?.search).toString()).toBe("c=2&fixed=client&d=x");
  });

  test("the path itself goes to the target as written, its query and the defaults added", async () => {
    const response = await fetch(`${gateway.origin}/bria`, { headers: { authorization: `Bearer ${key}` } });
    expect(await response.json()).toEqual({ path: "/base", method: "GET" });
    expect(lastRequest()?.search).toBe("?fixed=1&d=x");
  });

  test("without include_subpath only the path itself is served", async () => {
    const before = mock.requests.length;
    const exact = await fetch(`${gateway.origin}/exact`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: "{}" });
    expect(await exact.json()).toEqual({ path: "/only/this", method: "POST" });
    const below = await fetch(`${gateway.origin}/exact/more`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: "{}" });
    expect(below.status).toBe(404);
    expect(((await below.json()) as ErrorBody).error.code).toBe("route_not_found");
    expect(mock.requests.length).toBe(before + 1);
  });

  test("forward_headers sends the client's headers too, never its credentials: the endpoint's Authorization wins; a body that is not a JSON object goes as it is", async () => {
    const response = await fetch(`${gateway.origin}/exact?x=1`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "x-litellm-api-key": key, "x-custom": "yes", "anthropic-beta": "b1", cookie: "c=1", "content-type": "application/json" },
      body: "[1,2]",
    });
    expect(response.status).toBe(200);
    const seen = lastRequest();
    expect(seen?.bodyText).toBe("[1,2]");
    expect(seen?.headers).toMatchObject({ authorization: `Bearer ${UPSTREAM_BEARER}`, "x-custom": "yes", "anthropic-beta": "b1", "content-type": "application/json" });
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.search).toBe("?x=1");
    expect(JSON.stringify(seen)).not.toContain(key);
  });
});

describe("auth", () => {
  test("auth on (the default): no key or a wrong one is a 401 in OpenAI's shape, and nothing reaches the target", async () => {
    const before = mock.requests.length;
    const sent: Record<string, string>[] = [{}, { authorization: "Bearer sk-not-a-key-0000000000000000" }];
    for (const headers of sent) {
      const response = await fetch(`${gateway.origin}/bria/v1/x`, { method: "POST", headers, body: "{}" });
      expect(response.status).toBe(401);
      expect(((await response.json()) as ErrorBody).error.type).toBe("authentication_error");
    }
    expect(mock.requests.length).toBe(before);
  });

  test("auth off: no key needed; a key sent (the master key too) is neither read nor forwarded, even with forward_headers", async () => {
    const sent: Record<string, string>[] = [{}, { authorization: `Bearer ${TEST_MASTER_KEY}`, "x-api-key": TEST_MASTER_KEY, "api-key": TEST_MASTER_KEY }, { authorization: "Bearer not-a-key" }];
    for (const headers of sent) {
      const response = await fetch(`${gateway.origin}/public/hook?key=${TEST_MASTER_KEY}`, { method: "POST", headers: { ...headers, "x-hook": "1" }, body: "{}" });
      expect(response.status).toBe(200);
      const seen = lastRequest();
      expect(seen?.path).toBe("/pub/hook");
      expect(seen?.headers["x-hook"]).toBe("1");
      expect(JSON.stringify(seen)).not.toContain(TEST_MASTER_KEY);
      for (const name of ["authorization", "x-api-key", "api-key"]) expect(seen?.headers[name]).toBeUndefined();
    }
    const response = await fetch(`${gateway.origin}/public`, { method: "DELETE" });
    expect(response.status).toBe(200);
    // Still recorded, without a key: one ledger row of the call type LiteLLM uses.
    const row = await rowOf(response.headers.get("x-switchboard-call-id"));
    expect(row).toMatchObject({ call_type: "pass_through_endpoint", api_key: "", spend: 0, status: "success", model: "" });
  });
});

describe("spend", () => {
  test("cost_per_request is charged for a 2xx answer, in the call's ledger row", async () => {
    const response = await fetch(`${gateway.origin}/bria/v1/run`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: "{}" });
    expect(response.status).toBe(200);
    const row = await rowOf(response.headers.get("x-switchboard-call-id"));
    expect(row).toMatchObject({ call_type: "pass_through_endpoint", spend: 0.25, key_alias: "configured", custom_llm_provider: "/bria", status: "success" });
  });

  test("an upstream error is answered as sent, the endpoint's credential taken out, and costs nothing", async () => {
    const response = await fetch(`${gateway.origin}/echo`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: "{}" });
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toContain("Invalid credentials");
    expect(text).not.toContain(UPSTREAM_BEARER);
    expect(lastRequest()?.headers.authorization).toBe(`Bearer ${UPSTREAM_BEARER}`);
    const row = await rowOf(response.headers.get("x-switchboard-call-id"));
    expect(row).toMatchObject({ spend: 0, status: "failure", http_status: 401 });
  });

  test("a strict budget reserves the price: the call that would pass it is refused before it goes up", async () => {
    const budgeted = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { max_budget: 0.3 })).body.key;
    const first = await fetch(`${gateway.origin}/bria/v1/run`, { method: "POST", headers: { authorization: `Bearer ${budgeted}` }, body: "{}" });
    expect(first.status).toBe(200);
    await first.text();
    const before = mock.requests.length;
    const second = await fetch(`${gateway.origin}/bria/v1/run`, { method: "POST", headers: { authorization: `Bearer ${budgeted}` }, body: "{}" });
    expect(second.status).toBe(400);
    expect(((await second.json()) as ErrorBody).error.type).toBe("budget_exceeded");
    expect(mock.requests.length).toBe(before);
  });
});

describe("the answer", () => {
  test("a stream is relayed as it comes, and a client that goes away aborts the upstream call", async () => {
    const response = await fetch(`${gateway.origin}/bria/v1/stall`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"type":"ping"');
    await reader.cancel();
    expect(await waitFor(() => mock.aborted.some((request) => request.path === "/base/v1/stall"), 3000)).toBe(true);
    expect(await waitFor(() => gateway.records.some((record) => record.provider === "/bria" && record.outcome === "cancelled"), 3000)).toBe(true);
  });

  test("an upstream redirect is never followed", async () => {
    mock.redirectTo = `${canary.url}/stolen`;
    const response = await fetch(`${gateway.origin}/bria/v1/redirect`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: "{}" });
    expect(response.status).toBe(502);
    expect(await response.text()).not.toContain("/stolen");
    expect(canary.connections()).toBe(0);
  });

  test("/routes and /openapi.json list the endpoints, never their targets", async () => {
    const listed = await (await fetch(`${gateway.origin}/routes`)).text();
    for (const path of ['"/bria"', '"/bria/{path}"', '"/exact"', '"/public"', '"/public/{path}"']) expect(listed).toContain(path);
    expect(listed).not.toContain('"/exact/{path}"');
    const openapi = await (await fetch(`${gateway.origin}/openapi.json`)).text();
    for (const text of [listed, openapi]) expect(text).not.toContain(`:${new URL(mock.url).port}`);
  });
});
