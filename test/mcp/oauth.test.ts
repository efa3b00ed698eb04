import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { McpServerEntry } from "../../src/config/schema.ts";
import { McpAnswerError } from "../../src/mcp/errors.ts";
import { OpenApiUpstream } from "../../src/mcp/openapi/upstream.ts";
import { Upstream } from "../../src/mcp/upstream.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { startMockTokenEndpoint, type MockTokenEndpoint } from "../support/mock-oauth.ts";
import { useTempDir } from "../support/temp-dir.ts";

const CLIENT_ID = "switchboard-client";
const CLIENT_SECRET = "oauth-client-secret-7d2b";

const tmp = useTempDir("switchboard-mcp-oauth-");
let tokens: MockTokenEndpoint;
let upstream: MockMcpServer;
let gateway: AccountsGateway;
const closers: (() => Promise<void>)[] = [];

function entry(overrides: Partial<McpServerEntry> = {}): McpServerEntry {
  return {
    url: upstream.url,
    auth_type: "oauth2",
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    token_url: tokens.url,
    scopes: ["tools.read", "tools.call"],
    allow_private_hosts: ["127.0.0.1"],
    ...overrides,
  };
}

/** An Upstream closed after the tests. */
function upstreamOf(name: string, overrides: Partial<McpServerEntry> = {}): Upstream {
  const server = new Upstream(name, entry(overrides));
  closers.push(() => server.close());
  return server;
}

beforeAll(async () => {
  tokens = startMockTokenEndpoint(CLIENT_ID, CLIENT_SECRET);
  upstream = startMockMcpServer([{ name: "whoami", run: (_args, headers) => text(`upstream saw ${headers.get("authorization")}`) }], { bearer: (token) => tokens.valid.has(token) });
  gateway = await startAccountsGateway({ mcp_servers: { secure: entry() } }, { dataDir: dirname(await tmp.file("marker", "")) });
});

beforeEach(() => {
  tokens.expiresIn = 3600;
  tokens.failWith = undefined;
});

afterAll(async () => {
  for (const close of closers) await close();
  await gateway.stop();
  await upstream.stop();
  await tokens.stop();
});

describe("MCP upstream OAuth2 client credentials", () => {
  test("/mcp lists and calls an OAuth2 server's tools with a bearer from its token endpoint, fetched with HTTP Basic and the scopes", async () => {
    const before = tokens.requests.length;
    const key = (await gateway.admin<{ key: string }>("POST", "/key/generate", {})).body.key;
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.origin}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    closers.push(() => client.close());
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["secure-whoami"]);
    const result = (await client.callTool({ name: "secure-whoami", arguments: {} })) as { content: { text: string }[] };
    expect(result.content[0]?.text).toMatch(/^upstream saw Bearer tok-\d+$/);
    expect(result.content[0]?.text).not.toContain(key);
    const fetched = tokens.requests.slice(before);
    expect(fetched.length).toBe(1);
    expect(fetched[0]?.form.get("grant_type")).toBe("client_credentials");
    expect(fetched[0]?.form.get("scope")).toBe("tools.read tools.call");
    expect(fetched[0]?.form.get("client_secret")).toBeNull();
    expect(fetched[0]?.authorization).toBe(`Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`);
  });

  test("the token is fetched once for many calls, concurrent ones included", async () => {
    const server = upstreamOf("many");
    const before = tokens.requests.length;
    const answers = await Promise.all(Array.from({ length: 8 }, () => server.callTool("whoami", {})));
    for (let i = 0; i < 4; i++) answers.push(await server.callTool("whoami", {}));
    expect(await server.listTools()).toHaveLength(1);
    expect(tokens.requests.length - before).toBe(1);
    expect(new Set(answers.map((answer) => (answer.content[0] as { text: string }).text)).size).toBe(1);
  });

  test("a token is renewed when it expires", async () => {
    tokens.expiresIn = 1;
    const server = upstreamOf("expiring");
    const before = tokens.requests.length;
    const first = (await server.callTool("whoami", {})).content[0] as { text: string };
    expect(((await server.callTool("whoami", {})).content[0] as { text: string }).text).toBe(first.text);
    expect(tokens.requests.length - before).toBe(1);
    await Bun.sleep(600);
    const second = (await server.callTool("whoami", {})).content[0] as { text: string };
    expect(tokens.requests.length - before).toBe(2);
    expect(second.text).not.toBe(first.text);
  });

  test("a 401 from the upstream renews the token once and the call succeeds", async () => {
    const server = upstreamOf("revoked");
    await server.callTool("whoami", {});
    const before = tokens.requests.length;
    tokens.valid.clear();
    const answer = (await server.callTool("whoami", {})).content[0] as { text: string };
    expect(tokens.requests.length - before).toBe(1);
    expect(answer.text).toMatch(/^upstream saw Bearer tok-\d+$/);
    expect(tokens.valid.has(answer.text.replace("upstream saw Bearer ", ""))).toBe(true);
  });

  test("a token endpoint refusing the client is an MCP error naming the server, without the secret", async () => {
    tokens.failWith = 401;
    const server = upstreamOf("broken");
    const error = await server.listTools().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpAnswerError);
    const message = (error as Error).message;
    expect(message).toContain("MCP server 'broken'");
    expect(message).toContain("token endpoint refused the client credentials (HTTP 401, invalid_client)");
    expect(message).not.toContain(CLIENT_SECRET);
  });

  test("a token_url on a private host is refused without allow_private_hosts", async () => {
    const before = tokens.requests.length;
    const server = upstreamOf("private", { allow_private_hosts: [] });
    const error = await server.callTool("whoami", {}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain("MCP server 'private' has no OAuth2 access token: its token_url is refused");
    expect(tokens.requests.length).toBe(before);
  });

  test("an OpenAPI server with auth_type oauth2 calls its API with the bearer, renewing it once on a 401", async () => {
    const api = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request) {
        const token = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
        return tokens.valid.has(token) ? Response.json({ saw: token }) : new Response("unauthorized", { status: 401 });
      },
    });
    closers.push(async () => api.stop(true));
    const spec = { openapi: "3.0.0", info: { title: "t", version: "1" }, paths: { "/me": { get: { operationId: "me", responses: { "200": { description: "ok" } } } } } };
    const server = new OpenApiUpstream("api", entry({ url: `http://127.0.0.1:${api.port}`, spec }));
    const before = tokens.requests.length;
    const first = (await server.callTool("me", {})).content[0] as { text: string };
    expect(first.text).toContain('"saw": "tok-');
    tokens.valid.clear();
    const second = await server.callTool("me", {});
    expect(second.isError).toBeUndefined();
    expect(tokens.requests.length - before).toBe(2);
  });
});
