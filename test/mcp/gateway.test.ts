import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";
import { ErrorCode, McpError, startMockMcpServer, startMockSseMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { MCP_FORBIDDEN } from "../../src/mcp/gateway.ts";

const UPSTREAM_TOKEN = "beta-upstream-token-4f9a";
const ALPHA_STATIC = "alpha-static-secret-9c1e";

const tmp = useTempDir("switchboard-mcp-");
const otherTmp = useTempDir("switchboard-mcp-other-");
let alpha: MockMcpServer;
let beta: MockMcpServer;
let gamma: MockMcpServer;
let gateway: AccountsGateway;
const clients: Client[] = [];

beforeAll(async () => {
  alpha = startMockMcpServer([
    { name: "echo", description: "Echoes its text", run: (args) => text(`echo: ${String(args.text)}`) },
    { name: "files.read", run: () => text("read it") },
    { name: "danger", run: () => text("should never run") },
    {
      name: "leak",
      run: (_args, headers) => {
        throw new McpError(ErrorCode.InvalidParams, `bad header ${headers.get("x-api-token")}`);
      },
    },
  ]);
  beta = startMockMcpServer(
    [
      { name: "whoami", run: (_args, headers) => text(`upstream saw ${headers.get("authorization")}`) },
      { name: "hidden", run: () => text("should never run") },
    ],
    { bearer: UPSTREAM_TOKEN },
  );
  gamma = await startMockSseMcpServer([{ name: "time", run: (_args, headers) => text(`sse upstream saw ${headers.get("x-api-key")}`) }]);
  gateway = await startAccountsGateway(
    {
      mcp_servers: {
        alpha: { url: alpha.url, transport: "http", disallowed_tools: ["danger"], static_headers: { "X-Api-Token": ALPHA_STATIC } },
        beta: { url: beta.url, auth_type: "bearer_token", auth_value: UPSTREAM_TOKEN, allowed_tools: ["whoami"] },
        gamma: { url: gamma.url, transport: "sse", auth_type: "api_key", auth_value: "gamma-key-123" },
      },
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.stop();
  await alpha.stop();
  await beta.stop();
  await gamma.stop();
});

/** The official SDK client against the gateway, with these headers. */
async function connect(headers: Record<string, string>, path = "/mcp"): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.origin}${path}`), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

async function newKey(body: Record<string, unknown> = {}): Promise<string> {
  const answer = await gateway.admin<{ key: string }>("POST", "/key/generate", body);
  expect(answer.status).toBe(200);
  return answer.body.key;
}

const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();
const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;

describe("MCP gateway: /mcp in front of configured MCP servers", () => {
  test("tools/list names every allowed tool <server>-<tool>, sanitised; disallowed and not-allowed tools are left out", async () => {
    const client = await connect({ authorization: `Bearer ${await newKey()}` });
    expect(await names(client)).toEqual(["alpha-echo", "alpha-files_read", "alpha-leak", "beta-whoami", "gamma-time"]);
    const echo = (await client.listTools()).tools.find((tool) => tool.name === "alpha-echo");
    expect(echo?.description).toBe("Echoes its text");
    expect(echo?.inputSchema).toEqual({ type: "object", properties: { text: { type: "string" } } });
  });

  test("tools/call reaches the right server with the prefix stripped; arguments and result pass through", async () => {
    const client = await connect({ authorization: `Bearer ${await newKey()}` });
    expect(textOf(await client.callTool({ name: "alpha-echo", arguments: { text: "hello" } }))).toBe("echo: hello");
    expect(textOf(await client.callTool({ name: "alpha-files_read", arguments: {} }))).toBe("read it");
  });

  test("the server's bearer reaches the upstream; the caller's gateway key never does", async () => {
    const key = await newKey();
    const client = await connect({ authorization: `Bearer ${key}` });
    beta.seen.length = 0;
    alpha.seen.length = 0;
    expect(textOf(await client.callTool({ name: "beta-whoami" }))).toBe(`upstream saw Bearer ${UPSTREAM_TOKEN}`);
    await client.callTool({ name: "alpha-echo", arguments: { text: "x" } });
    const all = [...alpha.seen, ...beta.seen].flatMap((headers) => [...headers.entries()].map(([, value]) => value));
    expect(all.length).toBeGreaterThan(0);
    expect(all.some((value) => value.includes(key))).toBe(false);
    expect(alpha.seen.some((headers) => headers.has("authorization"))).toBe(false);
  });

  test("an upstream on the SSE transport is listed and called like the others, with its api_key as X-API-Key", async () => {
    const client = await connect({ authorization: `Bearer ${await newKey()}` });
    expect(textOf(await client.callTool({ name: "gamma-time" }))).toBe("sse upstream saw gamma-key-123");
  });

  test("disallowed_tools and tools outside allowed_tools cannot be called", async () => {
    const client = await connect({ authorization: `Bearer ${await newKey()}` });
    await expect(client.callTool({ name: "alpha-danger" })).rejects.toThrow(/not allowed/);
    await expect(client.callTool({ name: "beta-hidden" })).rejects.toThrow(/not allowed/);
    await expect(client.callTool({ name: "delta-echo" })).rejects.toThrow(/Unknown tool/);
  });

  test("a key whose metadata.mcp_servers names one server lists and calls only that one", async () => {
    const client = await connect({ authorization: `Bearer ${await newKey({ metadata: { mcp_servers: ["alpha"] } })}` });
    expect(await names(client)).toEqual(["alpha-echo", "alpha-files_read", "alpha-leak"]);
    const refused = (await client.callTool({ name: "beta-whoami" }).catch((e: unknown) => e)) as { code: number; message: string };
    expect(refused.message).toContain("may not use MCP server 'beta'");
    expect(refused.code).toBe(MCP_FORBIDDEN);
  });

  test("a team's metadata.mcp_servers binds its keys too", async () => {
    const team = await gateway.admin<{ team_id: string }>("POST", "/team/new", { metadata: { mcp_servers: ["beta"] } });
    expect(team.status).toBe(200);
    const client = await connect({ authorization: `Bearer ${await newKey({ team_id: team.body.team_id })}` });
    expect(await names(client)).toEqual(["beta-whoami"]);
    await expect(client.callTool({ name: "alpha-echo", arguments: { text: "x" } })).rejects.toThrow(/may not use MCP server 'alpha'/);
  });

  test("/mcp/<server> serves that server alone", async () => {
    const client = await connect({ authorization: `Bearer ${TEST_MASTER_KEY}` }, "/mcp/beta");
    expect(await names(client)).toEqual(["beta-whoami"]);
    await expect(client.callTool({ name: "alpha-echo" })).rejects.toThrow(/Unknown tool/);
    const unknown = await fetch(`${gateway.origin}/mcp/nope`, { method: "POST", headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, "content-type": "application/json" }, body: "{}" });
    expect(unknown.status).toBe(404);
  });

  test("x-litellm-api-key carries the gateway key while Authorization is kept for something else", async () => {
    const client = await connect({ "x-litellm-api-key": `Bearer ${await newKey()}`, authorization: "Bearer not-a-gateway-key" });
    expect(await names(client)).toContain("alpha-echo");
  });

  test("with a master key configured, no key is a 401 and a wrong key too", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    expect((await fetch(`${gateway.origin}/mcp`, { method: "POST", headers, body })).status).toBe(401);
    expect((await fetch(`${gateway.origin}/mcp`, { method: "POST", headers: { ...headers, authorization: "Bearer sk-wrong" }, body })).status).toBe(401);
    await expect(connect({})).rejects.toThrow();
  });

  test("an upstream's own error keeps its code and names the server; a configured credential in it is masked", async () => {
    const client = await connect({ authorization: `Bearer ${TEST_MASTER_KEY}` });
    const error = (await client.callTool({ name: "alpha-leak" }).catch((e: unknown) => e)) as { code: number; message: string };
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toContain("MCP server 'alpha': bad header ***");
    expect(error.message).not.toContain(ALPHA_STATIC);
  });

  test("an upstream that refuses the gateway's credential is an MCP error naming the server, without the credential", async () => {
    const down = await startAccountsGateway(
      { mcp_servers: { beta: { url: beta.url, auth_type: "bearer_token", auth_value: "wrong-token-value" } } },
      { dataDir: dirname(await otherTmp.file("marker", "")) },
    );
    try {
      const client = new Client({ name: "test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${down.origin}/mcp/beta`), { requestInit: { headers: { authorization: `Bearer ${TEST_MASTER_KEY}` } } }));
      const error = await client.listTools().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain("MCP server 'beta'");
      expect(error?.message).toContain("HTTP 401");
      expect(error?.message).not.toContain("wrong-token-value");
      await client.close();
    } finally {
      await down.stop();
    }
  });
});
