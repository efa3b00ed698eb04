import { afterAll, beforeAll, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { MASTER_CALLER } from "../../src/auth/caller.ts";
import { McpGateway } from "../../src/mcp/gateway.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";

let upstream: MockMcpServer;
let clock = 0;
let gateway: McpGateway;
let client: Client;

beforeAll(async () => {
  upstream = startMockMcpServer([{ name: "a.b", run: () => text("ok") }]);
  gateway = new McpGateway({ s: { url: upstream.url } }, undefined, () => clock);
  client = new Client({ name: "test", version: "1.0.0" });
  // The SDK client straight into the gateway's handler: no HTTP server in between.
  const fetch = async (url: string | URL, init?: RequestInit) => gateway.handle(new Request(url.toString(), init), MASTER_CALLER);
  await client.connect(new StreamableHTTPClientTransport(new URL("http://gateway.test/mcp"), { fetch }));
});

afterAll(async () => {
  await client.close();
  await gateway.close();
  await upstream.stop();
});

test("a call maps its name through the server's last listing while it is fresh, and lists again when stale or when the name is new", async () => {
  await client.listTools();
  expect(upstream.methods).toEqual(["tools/list"]);
  await client.callTool({ name: "s-a_b" });
  await client.callTool({ name: "s-a_b" });
  expect(upstream.methods).toEqual(["tools/list", "tools/call", "tools/call"]);
  clock += 61_000;
  await client.callTool({ name: "s-a_b" });
  expect(upstream.methods).toEqual(["tools/list", "tools/call", "tools/call", "tools/list", "tools/call"]);
  await expect(client.callTool({ name: "s-new" })).rejects.toThrow(/has no tool 'new'/);
  expect(upstream.methods.slice(-1)).toEqual(["tools/list"]);
});
