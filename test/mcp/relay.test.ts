import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { startRelayMock, type RelayMock } from "../support/mock-mcp-relay.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { MCP_FORBIDDEN } from "../../src/mcp/gateway.ts";

const tmp = useTempDir("switchboard-mcp-relay-");
let one: RelayMock;
let two: RelayMock;
let plain: MockMcpServer;
let gateway: AccountsGateway;
const clients: Client[] = [];
let upstreamAborted = false;

beforeAll(async () => {
  one = await startRelayMock("one", {
    resources: { "file:///shared.txt": "one's shared", "file:///only-one.txt": "only one" },
    templates: ["file:///logs/{day}"],
    prompts: { greet: "hello {x} from one", "a.b": "dotted" },
    tools: {
      count: async (_args, extra) => {
        const token = extra._meta?.progressToken;
        if (token !== undefined) for (let i = 1; i <= 3; i++) await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: i, total: 3, message: `step ${i}` } });
        return text("counted");
      },
      slow: (_args, extra) =>
        new Promise((resolve) => {
          extra.signal.addEventListener("abort", () => {
            upstreamAborted = true;
            resolve(text("aborted"));
          });
        }),
    },
  });
  two = await startRelayMock("two", { resources: { "file:///shared.txt": "two's shared" }, prompts: { greet: "hello from two" } });
  plain = startMockMcpServer([{ name: "ping", run: () => text("pong") }]);
  gateway = await startAccountsGateway(
    { mcp_servers: { one: { url: one.url }, two: { url: two.url }, plain: { url: plain.url } } },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.stop();
  await one.stop();
  await two.stop();
  await plain.stop();
});

async function connect(headers: Record<string, string> = { authorization: `Bearer ${TEST_MASTER_KEY}` }, path = "/mcp"): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.origin}${path}`), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

async function keyFor(servers: string[]): Promise<Record<string, string>> {
  const answer = await gateway.admin<{ key: string }>("POST", "/key/generate", { metadata: { mcp_servers: servers } });
  expect(answer.status).toBe(200);
  return { authorization: `Bearer ${answer.body.key}` };
}

const textOf = (contents: unknown[]) => (contents[0] as { text: string }).text;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await Bun.sleep(10);
  expect(check()).toBe(true);
}

describe("MCP gateway: resources and prompts of upstream servers", () => {
  test("initialize advertises resources and prompts when a reachable server offers them, not otherwise", async () => {
    expect((await connect()).getServerCapabilities()).toMatchObject({ tools: {}, resources: {}, prompts: {} });
    const plainOnly = (await connect(await keyFor(["plain"]))).getServerCapabilities();
    expect(plainOnly?.tools).toBeDefined();
    expect(plainOnly?.resources).toBeUndefined();
    expect(plainOnly?.prompts).toBeUndefined();
    expect((await connect(undefined, "/mcp/two")).getServerCapabilities()).toMatchObject({ resources: {}, prompts: {} });
  });

  test("resources/list gives every server's resources under mcp://<server>/<uri>; the same URI on two servers stays two resources", async () => {
    const { resources } = await (await connect()).listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(["mcp://one/file:///only-one.txt", "mcp://one/file:///shared.txt", "mcp://two/file:///shared.txt"]);
    expect(resources.find((r) => r.uri === "mcp://two/file:///shared.txt")?.name).toBe("two file:///shared.txt");
  });

  test("resources/read routes by the prefix to the server that listed it, with the server's own URI", async () => {
    const client = await connect();
    const fromOne = await client.readResource({ uri: "mcp://one/file:///shared.txt" });
    const fromTwo = await client.readResource({ uri: "mcp://two/file:///shared.txt" });
    expect(textOf(fromOne.contents)).toBe("one's shared");
    expect(textOf(fromTwo.contents)).toBe("two's shared");
    expect(fromTwo.contents[0]?.uri).toBe("mcp://two/file:///shared.txt");
    await expect(client.readResource({ uri: "file:///shared.txt" })).rejects.toThrow(/Unknown resource/);
    await expect(client.readResource({ uri: "mcp://nope/file:///x" })).rejects.toThrow(/Unknown resource/);
  });

  test("resources/templates/list prefixes templates the same way, so an expanded template reads from its server", async () => {
    const client = await connect();
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["mcp://one/file:///logs/{day}"]);
    const read = await client.readResource({ uri: "mcp://one/file:///logs/monday" });
    expect(textOf(read.contents)).toBe("one template read file:///logs/monday");
  });

  test("prompts/list names prompts <server>-<prompt>, sanitised; prompts/get reaches the right server un-prefixed", async () => {
    const client = await connect();
    expect((await client.listPrompts()).prompts.map((p) => p.name).sort()).toEqual(["one-a_b", "one-greet", "two-greet"]);
    const got = await client.getPrompt({ name: "one-greet", arguments: { x: "ada" } });
    expect((got.messages[0]?.content as { text: string }).text).toBe("hello ada from one");
    expect(((await client.getPrompt({ name: "two-greet" })).messages[0]?.content as { text: string }).text).toBe("hello from two");
    expect(((await client.getPrompt({ name: "one-a_b" })).messages[0]?.content as { text: string }).text).toBe("dotted");
    await expect(client.getPrompt({ name: "one-missing" })).rejects.toThrow(/has no prompt 'missing'/);
  });

  test("a key's mcp_servers binds resources and prompts as it binds tools", async () => {
    const client = await connect(await keyFor(["one"]));
    expect((await client.listResources()).resources.every((r) => r.uri.startsWith("mcp://one/"))).toBe(true);
    expect((await client.listPrompts()).prompts.map((p) => p.name).sort()).toEqual(["one-a_b", "one-greet"]);
    const refused = (await client.readResource({ uri: "mcp://two/file:///shared.txt" }).catch((e: unknown) => e)) as { code: number; message: string };
    expect(refused.code).toBe(MCP_FORBIDDEN);
    expect(refused.message).toContain("may not use MCP server 'two'");
    await expect(client.getPrompt({ name: "two-greet" })).rejects.toThrow(/may not use MCP server 'two'/);
  });

  test("/mcp/<server> serves that server's resources and prompts alone", async () => {
    const client = await connect(undefined, "/mcp/two");
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(["mcp://two/file:///shared.txt"]);
    await expect(client.readResource({ uri: "mcp://one/file:///shared.txt" })).rejects.toThrow(/Unknown resource/);
    await expect(client.getPrompt({ name: "one-greet" })).rejects.toThrow(/Unknown prompt/);
  });
});

describe("MCP gateway: progress and cancellation", () => {
  test("a tools/call with a progress token gets the upstream's progress notifications, then its result", async () => {
    const client = await connect();
    const seen: Progress[] = [];
    const result = await client.callTool({ name: "one-count" }, undefined, { onprogress: (progress) => seen.push(progress) });
    expect((result.content as { text: string }[])[0]?.text).toBe("counted");
    expect(seen.map((p) => [p.progress, p.total, p.message])).toEqual([
      [1, 3, "step 1"],
      [2, 3, "step 2"],
      [3, 3, "step 3"],
    ]);
  });

  test("a call without a progress token is still answered as plain JSON", async () => {
    const response = await fetch(`${gateway.origin}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "plain-ping" } }),
    });
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(((await response.json()) as { result: { content: { text: string }[] } }).result.content[0]?.text).toBe("pong");
  });

  test("a call the client aborts is cancelled upstream: the server's handler sees its signal abort", async () => {
    const client = await connect();
    upstreamAborted = false;
    const calls = one.methods.filter((m) => m === "tools/call").length;
    const controller = new AbortController();
    const call = client.callTool({ name: "one-slow" }, undefined, { signal: controller.signal });
    await until(() => one.methods.filter((m) => m === "tools/call").length > calls);
    controller.abort("changed my mind");
    await expect(call).rejects.toThrow();
    await until(() => upstreamAborted);
    // The upstream connection survives a cancellation.
    expect(textOf((await client.readResource({ uri: "mcp://one/file:///only-one.txt" })).contents)).toBe("only one");
  });

  test("a client that disconnects mid-call cancels it upstream", async () => {
    upstreamAborted = false;
    const calls = one.methods.filter((m) => m === "tools/call").length;
    const controller = new AbortController();
    const sent = fetch(`${gateway.origin}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_MASTER_KEY}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "one-slow" } }),
      signal: controller.signal,
    }).catch(() => undefined);
    await until(() => one.methods.filter((m) => m === "tools/call").length > calls);
    controller.abort();
    await sent;
    await until(() => upstreamAborted);
  });

  test("another caller cannot cancel a call by its request id", async () => {
    upstreamAborted = false;
    const calls = one.methods.filter((m) => m === "tools/call").length;
    const owner = await connect();
    const controller = new AbortController();
    const call = owner.callTool({ name: "one-slow" }, undefined, { signal: controller.signal }).catch(() => undefined);
    await until(() => one.methods.filter((m) => m === "tools/call").length > calls);
    const other = await keyFor(["one"]);
    for (const id of [0, 1, 2, 3, 4, 5, 6, 7, 8]) {
      const sent = await fetch(`${gateway.origin}/mcp`, {
        method: "POST",
        headers: { ...other, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id } }),
      });
      expect(sent.status).toBe(202);
    }
    await Bun.sleep(50);
    expect(upstreamAborted).toBe(false);
    controller.abort();
    await call;
    await until(() => upstreamAborted);
  });
});
