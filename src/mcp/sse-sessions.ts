/**
 * The gateway's HTTP+SSE sessions (MCP 2024-11-05, for clients that do not speak Streamable HTTP):
 * a GET opens one and its stream, the client POSTs each message to the URL the stream's first event
 * names, and the answers come down the stream. A session belongs to the key that opened it, lives in
 * this process's memory (several instances behind a load balancer need sticky sessions), and ends
 * when its stream's client goes away, when it has been idle too long, or when the gateway stops.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { ErrorCode, isInitializeRequest, JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Caller } from "../auth/caller.ts";
import { GatewayError } from "../canonical/errors.ts";
import { declaresTooLarge, readBounded } from "../server/body.ts";
import { MCP_FORBIDDEN, MCP_RATE_LIMITED, MCP_SESSION_NOT_FOUND, MCP_UNAVAILABLE, mcpErrorResponse } from "./errors.ts";
import { callerId } from "./inflight.ts";
import { SseServerTransport } from "./sse-transport.ts";

/** What one MCP message came with: the caller its HTTP request authenticated as, and that request. */
export interface MessageContext {
  caller: Caller;
  request: Request;
}

export type SessionTransport = SseServerTransport<MessageContext>;

/** How many sessions may be open and for how long. */
export interface SseLimits {
  /** Open sessions of one key (the master key, and an open gateway's callers, count as one key each). */
  perKey: number;
  /** Open sessions in this process. */
  total: number;
  /** A session with nothing in progress and no message for this long is closed. */
  idleMs: number;
  keepAliveMs: number;
}

export const SSE_LIMITS: SseLimits = { perKey: 32, total: 1024, idleMs: 30 * 60_000, keepAliveMs: 15_000 };

/** The SDK's own limit for one POSTed message. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  // nginx buffers responses unless told not to; an SSE stream must not wait in a buffer.
  "x-accel-buffering": "no",
};

/** Builds the session's SDK server on its first message and connects it to the transport. */
export type ConnectSession = (transport: SessionTransport, first: MessageContext, only: string | undefined, initializing: boolean) => Promise<Server>;

interface Session {
  transport: SessionTransport;
  /** The key that opened it (callerId). */
  owner: string;
  only: string | undefined;
  /** Where its messages are POSTed (without the query). */
  path: string;
  /** Its SDK server, connected on the first message. */
  server?: Promise<Server>;
}

export class SseSessions {
  private readonly sessions = new Map<string, Session>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private draining = false;

  constructor(
    private readonly connect: ConnectSession,
    private readonly limits: SseLimits = SSE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session for `caller` (the GET at `ssePath`), its messages to be POSTed to `messagesPath`: the SSE response, or why not. */
  open(request: Request, caller: Caller, only: string | undefined, ssePath: string, messagesPath: string): Response {
    if (this.draining) return mcpErrorResponse(503, MCP_UNAVAILABLE, "The gateway is shutting down; open the session on another instance.");
    const owner = callerId(caller);
    if (this.sessions.size >= this.limits.total) {
      return mcpErrorResponse(503, MCP_UNAVAILABLE, `This gateway holds ${this.limits.total} MCP SSE sessions, its limit. Retry later, or use Streamable HTTP (POST ${ssePath.replace(/\/sse$/, "")}), which needs no session.`);
    }
    let mine = 0;
    for (const session of this.sessions.values()) if (session.owner === owner) mine++;
    if (mine >= this.limits.perKey) {
      return mcpErrorResponse(429, MCP_RATE_LIMITED, `This key has ${mine} MCP SSE sessions open, its limit of ${this.limits.perKey}. Close one (end its GET stream) or use Streamable HTTP (POST ${ssePath.replace(/\/sse$/, "")}), which needs no session.`);
    }
    const id = crypto.randomUUID();
    const transport: SessionTransport = new SseServerTransport(id, `${messagesPath}?session_id=${id}`, { caller, request }, { keepAliveMs: this.limits.keepAliveMs, now: this.now });
    this.sessions.set(id, { transport, owner, only, path: messagesPath });
    // Set before the SDK server connects, which keeps it and adds its own (aborting the calls in progress).
    transport.onclose = () => void this.sessions.delete(id);
    request.signal.addEventListener("abort", () => void transport.close(), { once: true });
    this.sweepEvery(Math.min(this.limits.idleMs, 60_000));
    return new Response(transport.stream, { headers: SSE_HEADERS });
  }

  /** One POST of `caller` to `messagesPath`: 202 once its messages are handed to the session's server; the answers go down the stream. */
  async post(request: Request, caller: Caller, ssePath: string, messagesPath: string): Promise<Response> {
    const id = new URL(request.url).searchParams.get("session_id");
    if (!id) return mcpErrorResponse(400, ErrorCode.InvalidRequest, `session_id is missing: POST to the URL the stream's endpoint event names (GET ${ssePath} opens a session).`);
    const session = this.sessions.get(id);
    if (!session || session.path !== messagesPath) {
      return mcpErrorResponse(404, MCP_SESSION_NOT_FOUND, `Session not found: it ended (its stream closed, it was idle for ${spanOf(this.limits.idleMs)}, or another gateway instance holds it). GET ${ssePath} opens a new one.`);
    }
    if (session.owner !== callerId(caller)) return mcpErrorResponse(403, MCP_FORBIDDEN, `This session belongs to another key. GET ${ssePath} with this key opens one of its own.`);
    const messages = await messagesIn(request);
    if (messages instanceof Response) return messages;
    const context: MessageContext = { caller, request };
    try {
      session.server ??= this.connect(session.transport, context, session.only, messages.some((message) => isInitializeRequest(message)));
      await session.server;
    } catch (error) {
      await session.transport.close();
      throw error;
    }
    if (session.transport.closed) return mcpErrorResponse(404, MCP_SESSION_NOT_FOUND, `Session not found: its stream closed. GET ${ssePath} opens a new one.`);
    for (const message of messages) session.transport.receive(message, context);
    return new Response(null, { status: 202 });
  }

  /** Closes the idle sessions: nothing in progress and no message for `idleMs`. */
  sweep(): void {
    const cutoff = this.now() - this.limits.idleMs;
    for (const { transport } of this.sessions.values()) if (transport.inProgress === 0 && transport.lastActive <= cutoff) void transport.close();
  }

  /** Closes the sessions bound to the server `name` (it was removed). */
  closeScoped(name: string): void {
    for (const { transport, only } of this.sessions.values()) if (only === name) void transport.close();
  }

  /** The gateway is stopping: no new session, and each ends once its requests in progress are answered. */
  drain(): void {
    this.draining = true;
    for (const { transport } of this.sessions.values()) transport.drain();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    await Promise.all([...this.sessions.values()].map(({ transport }) => transport.close()));
  }

  /** Sweeps while sessions are open (the timer never keeps the process alive). */
  private sweepEvery(ms: number): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      this.sweep();
      if (this.sessions.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, ms);
    this.sweeper.unref?.();
  }
}

/** A duration as the idle limit is stated: minutes, or seconds when shorter. */
function spanOf(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} s`;
}

/** The JSON-RPC message (or batch) a POST carries, or the 4xx answer saying what is wrong with it. */
async function messagesIn(request: Request): Promise<JSONRPCMessage[] | Response> {
  const tooLarge = () => mcpErrorResponse(413, ErrorCode.InvalidRequest, `The message is larger than ${MAX_MESSAGE_BYTES / 1024 / 1024} MB, the limit for one MCP message.`);
  if (declaresTooLarge(request, MAX_MESSAGE_BYTES)) return tooLarge();
  let text: string;
  try {
    text = request.headers.has("content-length") || !request.body ? await request.text() : await readBounded(request.body, MAX_MESSAGE_BYTES);
  } catch (error) {
    if (error instanceof GatewayError) return tooLarge();
    return mcpErrorResponse(400, ErrorCode.ParseError, "The request body could not be read.");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return mcpErrorResponse(400, ErrorCode.ParseError, "Parse error: the body is not JSON; POST one JSON-RPC message.");
  }
  const all = Array.isArray(parsed) ? parsed : [parsed];
  const messages: JSONRPCMessage[] = [];
  for (const item of all) {
    const checked = JSONRPCMessageSchema.safeParse(item);
    if (!checked.success) return mcpErrorResponse(400, ErrorCode.InvalidRequest, "Invalid request: the body is not a JSON-RPC 2.0 message.");
    messages.push(checked.data);
  }
  if (messages.length === 0) return mcpErrorResponse(400, ErrorCode.InvalidRequest, "Invalid request: the batch is empty.");
  return messages;
}
