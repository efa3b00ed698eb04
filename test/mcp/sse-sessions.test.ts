/**
 * The HTTP+SSE session table on its own, with a fake clock: idle expiry, draining at shutdown, and
 * sessions of a removed server. The SDK server behind each session answers tools/list when the
 * test lets it, so a request can be held in progress.
 */
import { describe, expect, test } from "bun:test";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { MASTER_CALLER, type Caller } from "../../src/auth/caller.ts";
import { SseSessions, type SessionTransport } from "../../src/mcp/sse-sessions.ts";

const ORIGIN = "http://gateway.test";
const LIMITS = { perKey: 4, total: 8, idleMs: 60_000, keepAliveMs: 60_000 };

/** A session table whose servers answer tools/list once `release` is called; `clock.now` is the time. */
function table() {
  const clock = { now: 1_000_000 };
  const gate = Promise.withResolvers<void>();
  const connect = async (transport: SessionTransport) => {
    const server = new Server({ name: "t", version: "1" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => {
      await gate.promise;
      return { tools: [] };
    });
    await server.connect(transport);
    return server;
  };
  const sessions = new SseSessions(connect, LIMITS, () => clock.now);
  return { sessions, clock, release: () => gate.resolve() };
}

/** Opens a session; returns its messages URL and a reader of its stream. */
async function open(sessions: SseSessions, caller: Caller = MASTER_CALLER, only?: string) {
  const base = only ? `/mcp/${only}` : "/mcp";
  const response = sessions.open(new Request(`${ORIGIN}${base}/sse`), caller, only, `${base}/sse`, `${base}/sse/messages`);
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const first = decoder.decode((await reader.read()).value);
  const endpoint = /data: (\S+)/.exec(first)?.[1] as string;
  const post = (message: unknown) => sessions.post(new Request(`${ORIGIN}${endpoint}`, { method: "POST", body: JSON.stringify(message), headers: { "content-type": "application/json" } }), caller, `${base}/sse`, `${base}/sse/messages`);
  /** Whether the stream has ended (read to its end). */
  const ended = async () => {
    for (;;) if ((await reader.read()).done) return true;
  };
  /** Reads the stream until `text` has come down it. */
  const seen = async (text: string) => {
    for (let read = ""; !read.includes(text); ) read += decoder.decode((await reader.read()).value, { stream: true });
  };
  return { post, ended, seen };
}

const LIST = { jsonrpc: "2.0", id: 1, method: "tools/list" };

describe("HTTP+SSE sessions", () => {
  test("a session idle past idleMs is closed by a sweep; its id is then unknown", async () => {
    const { sessions, clock } = table();
    const session = await open(sessions);
    clock.now += LIMITS.idleMs - 1;
    sessions.sweep();
    expect(sessions.size).toBe(1);
    clock.now += 1;
    sessions.sweep();
    expect(sessions.size).toBe(0);
    expect(await session.ended()).toBe(true);
    expect((await session.post(LIST)).status).toBe(404);
  });

  test("a session with a request in progress is not idle; its idle time counts from the answer", async () => {
    const { sessions, clock, release } = table();
    const session = await open(sessions);
    expect((await session.post(LIST)).status).toBe(202);
    clock.now += LIMITS.idleMs * 2;
    sessions.sweep();
    expect(sessions.size).toBe(1);
    release();
    await session.seen(`"id":1`);
    sessions.sweep();
    expect(sessions.size).toBe(1);
    clock.now += LIMITS.idleMs;
    sessions.sweep();
    expect(sessions.size).toBe(0);
  });

  test("draining refuses new sessions and ends each open one once its requests in progress are answered", async () => {
    const { sessions, release } = table();
    const quiet = await open(sessions);
    const busy = await open(sessions);
    expect((await busy.post(LIST)).status).toBe(202);
    sessions.drain();
    expect(await quiet.ended()).toBe(true);
    expect(sessions.size).toBe(1);
    const refused = sessions.open(new Request(`${ORIGIN}/mcp/sse`), MASTER_CALLER, undefined, "/mcp/sse", "/mcp/sse/messages");
    expect(refused.status).toBe(503);
    release();
    expect(await busy.ended()).toBe(true);
    expect(sessions.size).toBe(0);
  });

  test("closeScoped ends the sessions of that server only", async () => {
    const { sessions } = table();
    const scoped = await open(sessions, MASTER_CALLER, "gone");
    await open(sessions);
    await open(sessions, MASTER_CALLER, "kept");
    sessions.closeScoped("gone");
    expect(await scoped.ended()).toBe(true);
    expect(sessions.size).toBe(2);
    await sessions.close();
    expect(sessions.size).toBe(0);
  });
});
