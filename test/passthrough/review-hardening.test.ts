/**
 * Second review of the Bedrock, Vertex AI and config pass-through routes, over a live gateway and a
 * recording upstream: paths that run a model the classifier did not see, AWS key ids in an
 * upstream's error, a public endpoint's configured header values echoed back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-passthrough-review-");
const CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const ACCESS_KEY_ID = "AKIAREVIEWGATEWAY000";
/** A configured header's value under a name that does not say it is a secret (config marks every such value secret). */
const TENANT_SECRET = "tenant-7f3a9c2e-from-os-environ";
const aws = { aws_access_key_id: ACCESS_KEY_ID, aws_secret_access_key: "review-secret-access-key", aws_region_name: "us-east-1" };

interface Seen {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
}
/** What the upstream answers next (default: 200 `{}`), and every request it got. */
let answer: (request: Request) => Response = () => Response.json({});
const seen: Seen[] = [];
let upstream: ReturnType<typeof Bun.serve>;
let gateway: AccountsGateway;

beforeAll(async () => {
  upstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const url = new URL(request.url);
      seen.push({ method: request.method, path: url.pathname, search: url.search, headers: Object.fromEntries(request.headers) });
      return answer(request);
    },
  });
  const base = `http://127.0.0.1:${upstream.port}`;
  gateway = await startAccountsGateway(
    {
      settings: { env_provider_models: false },
      models: [
        { model_name: "claude-bedrock", model: `bedrock/${CLAUDE}`, api_base: base, ...aws, price: { input: 3, output: 15 } },
        { model_name: "other-bedrock", model: "bedrock/anthropic.claude-3-opus-20240229-v1:0", api_base: base, ...aws, use_in_pass_through: true },
      ],
      pass_through_endpoints: [{ path: "/hook", target: `${base}/hook`, auth: false, headers: { "X-Tenant": TENANT_SECRET, "Content-Type": "application/json" } }],
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
});
afterAll(async () => {
  await gateway?.stop();
  upstream?.stop(true);
});

const newKey = async (body: Record<string, unknown>) => (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", body)).body.key;
const post = (path: string, key: string, body = "{}") => fetch(`${gateway.origin}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });

describe("Bedrock: every path naming a model is checked against the key", () => {
  test.each(["Converse", "invoke-with-bidirectional-stream", "converse/x"])("model/<not allowed>/%s is refused before anything goes up", async (action) => {
    answer = () => Response.json({});
    const key = await newKey({ models: ["claude-bedrock"] });
    const before = seen.length;
    const response = await post(`/bedrock/model/anthropic.claude-3-opus-20240229-v1:0/${action}`, key);
    expect(response.status).toBe(403);
    expect(seen.length).toBe(before);
  });
});

describe("Bedrock: a client's signature never goes up, in its headers or its query", () => {
  test("X-Amz-* query parameters (a presigned request's credential, signature and token) are dropped; others go up", async () => {
    answer = () => Response.json({});
    const key = await newKey({ models: ["claude-bedrock"] });
    const before = seen.length;
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&x-amz-credential=${key}%2F20260101%2Fus-east-1%2Fbedrock%2Faws4_request&X-Amz-Signature=abc&X-Amz-Security-Token=client-token&X-Amz-SignedHeaders=host&other=1`;
    const response = await post(`/bedrock/model/${CLAUDE}/converse?${query}`, key);
    expect(response.status).toBe(200);
    expect(seen.length).toBe(before + 1);
    const last = seen.at(-1) as Seen;
    expect(last.search).toBe("?other=1");
    expect(last.headers.authorization).toStartWith(`AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/`);
  });
});

describe("Bedrock: the gateway's AWS access key id never reaches the client", () => {
  test("an upstream error naming it (body or header) is answered without it", async () => {
    answer = () => Response.json({ message: `The security token included in the request is invalid: ${ACCESS_KEY_ID}` }, { status: 403, headers: { "x-amzn-errortype": "UnrecognizedClientException", "x-echo": `Credential=${ACCESS_KEY_ID}` } });
    const key = await newKey({ models: ["claude-bedrock"] });
    const response = await post(`/bedrock/model/${CLAUDE}/converse`, key);
    expect(response.status).toBe(403);
    const text = await response.text();
    expect(text).toContain("security token");
    expect(text).not.toContain(ACCESS_KEY_ID);
    expect(JSON.stringify(Object.fromEntries(response.headers))).not.toContain(ACCESS_KEY_ID);
  });
});

describe("a public config endpoint never shows a client its configured header values", () => {
  test("echoed in an upstream error's body or headers, whatever the header's name; a descriptive value (content type) is left alone", async () => {
    answer = (request) => Response.json({ error: `bad tenant ${request.headers.get("x-tenant")}` }, { status: 400, headers: { "x-echo-tenant": request.headers.get("x-tenant") ?? "" } });
    const response = await fetch(`${gateway.origin}/hook`, { method: "POST", body: "{}" });
    expect(response.status).toBe(400);
    expect(seen.at(-1)?.headers["x-tenant"]).toBe(TENANT_SECRET);
    const text = await response.text();
    expect(text).toContain("bad tenant");
    expect(text).not.toContain(TENANT_SECRET);
    expect(JSON.stringify(Object.fromEntries(response.headers))).not.toContain(TENANT_SECRET);
    expect(response.headers.get("content-type")).toContain("application/json");
  });
});
