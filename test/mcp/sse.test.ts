import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";
import { startMockMcpServer, text, type MockMcpServer } from "../support/mock-mcp.ts";
import { startRelayMock, type RelayMock } from "../support/mock-mcp-relay.ts";
import { INITIALIZE, openRawSse, type RawSseSession } from "../support/raw-sse-session.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { MCP_FORBIDDEN } from "../../src/mcp/gateway.ts";

const tmp = useTempDir("switchboard-mcp-sse-");
const cappedTmp = useTempDir("switchboard-mcp-sse-capped-");
let one: RelayMock;
let alpha: MockMcpServer;
let gateway: AccountsGateway;
const clients: Client[] = [];
const raws: RawSseSession[] = [];
let upstreamAborted = false;
/**
 * `count` answers once this settles. The SDK's SSE client handles the events of one network chunk
 * out of order (a response at once, notifications a microtask later, after the response retired
 * their token: typescript-sdk #2580), so the test lets the result follow only once the client has
 * seen the progress; the raw-stream test checks the order on the wire.
 */
let progressSeen: Promise<void> = Promise.resolve();
const MASTER = { authorization: `Bearer ${TEST_MASTER_KEY}` };

beforeAll(async () => {
  one = await startRelayMock("one", {
    resources: { "file:///a.txt": "one's a" },
    prompts: { greet: "hello {x}" },
    tools: {
      count: async (_args, extra) => {
        const token = extra._meta?.progressToken;
        if (token !== undefined) for (let i = 1; i <= 3; i++) await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: i, total: 3 } });
        await progressSeen;
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
  alpha = startMockMcpServer([
    { name: "echo", run: (args) => text(`echo: ${String(args.text)}`) },
    { name: "whoami", run: (_args, headers) => text(`user ${headers.get("x-user-token")}`) },
  ]);
  gateway = await startAccountsGateway(
    { mcp_servers: { one: { url: one.url }, alpha: { url: alpha.url, extra_headers: ["x-user-token"] } } },
    { dataDir: dirname(await tmp.file("marker", "")), mcpSessions: { keepAliveMs: 50 } },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  for (const raw of raws) raw.disconnect();
  await gateway.stop();
  await one.stop();
  await alpha.stop();
});

/** The official SDK client over the HTTP+SSE transport, with these headers on the GET and on every POST. */
async function connect(headers: Record<string, string> = MASTER, path = "/mcp/sse"): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new SSEClientTransport(new URL(`${gateway.origin}${path}`), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

async function open(headers: Record<string, string> = MASTER, path = "/mcp/sse", origin = gateway.origin): Promise<RawSseSession> {
  const raw = await openRawSse(origin, path, headers);
  raws.push(raw);
  return raw;
}

async function keyFor(body: Record<string, unknown> = {}): Promise<Record<string, string>> {
  const answer = await gateway.admin<{ key: string }>("POST", "/key/generate", body);
  expect(answer.status).toBe(200);
  return { authorization: `Bearer ${answer.body.key}` };
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await check()); i++) await Bun.sleep(10);
  expect(await check()).toBe(true);
}

const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();
const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;
const callsOfOne = () => one.methods.filter((m) => m === "tools/call").length;

describe("MCP gateway over HTTP+SSE: the official SDK client", () => {
  test("initialize advertises what the servers offer; tools/list and tools/call reach the upstream", async () => {
    const client = await connect();
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {}, prompts: {} });
    expect(await names(client)).toEqual(["alpha-echo", "alpha-whoami", "one-count", "one-slow"]);
    expect(textOf(await client.callTool({ name: "alpha-echo", arguments: { text: "hello" } }))).toBe("echo: hello");
    const read = await client.readResource({ uri: "mcp://one/file:///a.txt" });
    expect((read.contents[0] as { text: string }).text).toBe("one's a");
    expect(((await client.getPrompt({ name: "one-greet", arguments: { x: "ada" } })).messages[0]?.content as { text: string }).text).toBe("hello ada");
  });

  test("/mcp/<server>/sse serves that server alone; a key's mcp_servers binds the session as it binds /mcp", async () => {
    const alone = await connect(MASTER, "/mcp/alpha/sse");
    expect(await names(alone)).toEqual(["alpha-echo", "alpha-whoami"]);
    expect(alone.getServerCapabilities()?.resources).toBeUndefined();
    await expect(alone.callTool({ name: "one-count" })).rejects.toThrow(/Unknown tool/);
    const bound = await connect(await keyFor({ metadata: { mcp_servers: ["one"] } }));
    expect(await names(bound)).toEqual(["one-count", "one-slow"]);
    const refused = (await bound.callTool({ name: "alpha-echo", arguments: { text: "x" } }).catch((e: unknown) => e)) as { code: number; message: string };
    expect(refused.code).toBe(MCP_FORBIDDEN);
    expect(refused.message).toContain("may not use MCP server 'alpha'");
  });

  test("the upstream's progress notifications reach the client before the result", async () => {
    const client = await connect();
    const seen: Progress[] = [];
    const all = Promise.withResolvers<void>();
    progressSeen = all.promise;
    const onprogress = (progress: Progress) => {
      seen.push(progress);
      if (progress.progress === 3) all.resolve();
    };
    const result = await client.callTool({ name: "one-count" }, undefined, { onprogress });
    expect(textOf(result)).toBe("counted");
    expect(seen.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  test("a call the client cancels is cancelled upstream, and the session goes on", async () => {
    const client = await connect();
    upstreamAborted = false;
    const calls = callsOfOne();
    const controller = new AbortController();
    const call = client.callTool({ name: "one-slow" }, undefined, { signal: controller.signal });
    await until(() => callsOfOne() > calls);
    controller.abort("changed my mind");
    await expect(call).rejects.toThrow();
    await until(() => upstreamAborted);
    expect(textOf(await client.callTool({ name: "alpha-echo", arguments: { text: "still here" } }))).toBe("echo: still here");
  });

  test("without a key the stream is not opened (401)", async () => {
    const response = await fetch(`${gateway.origin}/mcp/sse`, { headers: { accept: "text/event-stream" } });
    expect(response.status).toBe(401);
    await expect(connect({})).rejects.toThrow();
  });
});

describe("MCP gateway over HTTP+SSE: sessions", () => {
  test("the first event names the messages URL with the session id, under the path the stream was opened at", async () => {
    const all = await open();
    expect(all.response.headers.get("content-type")).toBe("text/event-stream");
    expect(all.endpoint).toMatch(/^\/mcp\/sse\/messages\?session_id=[0-9a-f-]{36}$/);
    const alone = await open(MASTER, "/mcp/alpha/sse");
    expect(alone.endpoint).toMatch(/^\/mcp\/alpha\/sse\/messages\?session_id=[0-9a-f-]{36}$/);
    // A session is found only at its own path.
    const elsewhere = await fetch(`${gateway.origin}${alone.endpoint.replace("/mcp/alpha/", "/mcp/")}`, { method: "POST", headers: { ...MASTER, "content-type": "application/json" }, body: JSON.stringify(INITIALIZE) });
    expect(elsewhere.status).toBe(404);
  });

  test("a POST answers 202 and its answer comes down the stream", async () => {
    const raw = await open();
    const posted = await raw.post(INITIALIZE, MASTER);
    expect(posted.status).toBe(202);
    expect(await posted.text()).toBe("");
    const answer = await raw.answer(0);
    expect(answer.result).toMatchObject({ serverInfo: { name: "switchboard" } });
  });

  test("on the wire, a call's progress notifications come down the stream before its result, under the client's token", async () => {
    progressSeen = Promise.resolve();
    const raw = await open();
    await raw.post(INITIALIZE, MASTER);
    await raw.answer(0);
    await raw.post({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "one-count", _meta: { progressToken: "p-77" } } }, MASTER);
    expect(textOf((await raw.answer(1)).result)).toBe("counted");
    const messages = raw.lines.filter((line) => line.startsWith("data: {")).map((line) => JSON.parse(line.slice(6)) as { id?: number; method?: string; params?: { progressToken?: string; progress?: number } });
    const ofCall = messages.filter((m) => m.id === 1 || m.method === "notifications/progress");
    expect(ofCall.map((m) => (m.id === 1 ? "result" : `${m.params?.progressToken} ${m.params?.progress}`))).toEqual(["p-77 1", "p-77 2", "p-77 3", "result"]);
  });

  test("the session belongs to the key that opened it: another key, the master key or none cannot post to it", async () => {
    const owner = await keyFor();
    const raw = await open(owner);
    for (const other of [await keyFor(), MASTER]) {
      const refused = await raw.post(INITIALIZE, other);
      expect(refused.status).toBe(403);
      const body = (await refused.json()) as { jsonrpc: string; error: { code: number; message: string }; id: null };
      expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: MCP_FORBIDDEN } });
      expect(body.error.message).toContain("belongs to another key");
    }
    expect((await raw.post(INITIALIZE, {})).status).toBe(401);
    expect((await raw.post(INITIALIZE, owner)).status).toBe(202);
    expect((await raw.answer(0)).result).toBeDefined();
  });

  test("each message is answered for the key as it is now: narrowed mid-session, then blocked", async () => {
    const made = await gateway.admin<{ key: string }>("POST", "/key/generate", {});
    const key = { authorization: `Bearer ${made.body.key}` };
    const raw = await open(key);
    await raw.post(INITIALIZE, key);
    await raw.answer(0);
    const list = async (id: number) => {
      expect((await raw.post({ jsonrpc: "2.0", id, method: "tools/list" }, key)).status).toBe(202);
      return ((await raw.answer(id)).result as { tools: { name: string }[] }).tools.map((tool) => tool.name).sort();
    };
    expect(await list(1)).toContain("alpha-echo");
    expect((await gateway.admin("POST", "/key/update", { key: made.body.key, metadata: { mcp_servers: ["one"] } })).status).toBe(200);
    expect(await list(2)).toEqual(["one-count", "one-slow"]);
    expect((await gateway.admin("POST", "/key/block", { key: made.body.key })).status).toBe(200);
    expect((await raw.post({ jsonrpc: "2.0", id: 3, method: "tools/list" }, key)).status).toBe(401);
  });

  test("an unknown session is a 404 in JSON-RPC's shape; no session id or a body that is not JSON-RPC is a 400", async () => {
    const post = (query: string, body: string) => fetch(`${gateway.origin}/mcp/sse/messages${query}`, { method: "POST", headers: { ...MASTER, "content-type": "application/json" }, body });
    const unknown = await post(`?session_id=${crypto.randomUUID()}`, JSON.stringify(INITIALIZE));
    expect(unknown.status).toBe(404);
    const body = (await unknown.json()) as { jsonrpc: string; error: { code: number; message: string }; id: null };
    expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32001 } });
    expect(body.error.message).toContain("GET /mcp/sse opens a new one");
    expect((await post("", JSON.stringify(INITIALIZE))).status).toBe(400);
    const raw = await open();
    const notJson = await raw.post("{not json", MASTER);
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const notRpc = await raw.post({ hello: "world" }, MASTER);
    expect(notRpc.status).toBe(400);
    expect(((await notRpc.json()) as { error: { code: number } }).error.code).toBe(-32600);
  });

  test("each POST's own headers are what extra_headers passes upstream, not the GET's", async () => {
    const raw = await open({ ...MASTER, "x-user-token": "from-the-get" });
    expect((await raw.post(INITIALIZE, { ...MASTER, "x-user-token": "first" })).status).toBe(202);
    await raw.answer(0);
    const call = (id: number, token: string) => raw.post({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "alpha-whoami" } }, { ...MASTER, "x-user-token": token });
    expect((await call(1, "ada")).status).toBe(202);
    expect(textOf((await raw.answer(1)).result)).toBe("user ada");
    expect((await call(2, "grace")).status).toBe(202);
    expect(textOf((await raw.answer(2)).result)).toBe("user grace");
  });

  test("a cancellation reaches only its own session's call, though another session of the key used the same request id", async () => {
    upstreamAborted = false;
    const [owner, other] = [await open(), await open()];
    for (const raw of [owner, other]) {
      await raw.post(INITIALIZE, MASTER);
      await raw.answer(0);
    }
    const calls = callsOfOne();
    await owner.post({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "one-slow" } }, MASTER);
    await until(() => callsOfOne() > calls);
    await other.post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7 } }, MASTER);
    // A session's messages are handled in order: once the ping is answered, the cancellation before it was handled.
    await other.post({ jsonrpc: "2.0", id: 8, method: "ping" }, MASTER);
    await other.answer(8);
    expect(upstreamAborted).toBe(false);
    await owner.post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7 } }, MASTER);
    await until(() => upstreamAborted);
  });

  test("a client that disconnects ends its session: its calls are cancelled upstream and its id is unknown", async () => {
    upstreamAborted = false;
    const raw = await open();
    await raw.post(INITIALIZE, MASTER);
    await raw.answer(0);
    const calls = callsOfOne();
    expect((await raw.post({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "one-slow" } }, MASTER)).status).toBe(202);
    await until(() => callsOfOne() > calls);
    raw.disconnect();
    await until(() => upstreamAborted);
    await until(async () => (await raw.post({ jsonrpc: "2.0", id: 6, method: "ping" }, MASTER)).status === 404);
  });

  test("a quiet stream carries keep-alive comments, so proxies in between do not cut it", async () => {
    const raw = await open();
    await raw.until((line) => line === ": keep-alive");
  });

  test("GET /mcp still answers 405, and names the SSE path", async () => {
    const response = await fetch(`${gateway.origin}/mcp/alpha`, { headers: MASTER });
    expect(response.status).toBe(405);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("GET /mcp/alpha/sse");
  });
});

describe("MCP gateway over HTTP+SSE: limits", () => {
  let capped: AccountsGateway;
  beforeAll(async () => {
    capped = await startAccountsGateway({ mcp_servers: { alpha: { url: alpha.url } } }, { dataDir: dirname(await cappedTmp.file("marker", "")), mcpSessions: { perKey: 2, total: 3 } });
  });
  afterAll(() => capped.stop());

  test("sessions are bounded per key and in total, each with an error that says so; a closed one frees its place", async () => {
    const key = async () => ({ authorization: `Bearer ${(await capped.admin<{ key: string }>("POST", "/key/generate", {})).body.key}` });
    const [a, b] = [await key(), await key()];
    const get = (headers: Record<string, string>) => fetch(`${capped.origin}/mcp/sse`, { headers });
    const first = await open(a, "/mcp/sse", capped.origin);
    await open(a, "/mcp/sse", capped.origin);
    const perKey = await get(a);
    expect(perKey.status).toBe(429);
    const perKeyBody = (await perKey.json()) as { error: { code: number; message: string } };
    expect(perKeyBody.error.code).toBe(-32029);
    expect(perKeyBody.error.message).toContain("limit of 2");
    await open(b, "/mcp/sse", capped.origin);
    const total = await get(b);
    expect(total.status).toBe(503);
    expect(((await total.json()) as { error: { message: string } }).error.message).toContain("3 MCP SSE sessions, its limit");
    first.disconnect();
    let reopened = await get(a);
    for (let i = 0; i < 300 && reopened.status !== 200; i++) {
      await Bun.sleep(10);
      reopened = await get(a);
    }
    expect(reopened.status).toBe(200);
    await reopened.body?.cancel();
  });
});
