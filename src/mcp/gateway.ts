import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CallToolRequestSchema,
  CancelledNotificationSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type CallToolResult,
  type RequestId,
  type ServerCapabilities,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { MCP_FORBIDDEN, McpAnswerError } from "./errors.ts";
import type { Caller } from "../auth/caller.ts";
import type { McpServerEntry } from "../config/schema.ts";
import { VERSION } from "../version.ts";
import { allowedTools, mayUseServer, type McpServerIdentity } from "./access.ts";
import { observeToolCall, type McpObservers } from "./observe.ts";
import { toolPrices, type ToolPrices } from "./prices.ts";
import { toolNames } from "./names.ts";
import { OpenApiUpstream } from "./openapi/upstream.ts";
import { InFlight, callerId } from "./inflight.ts";
import { withClientHeaders } from "./extra-headers.ts";
import { getPrompt, listPrompts, listResources, listResourceTemplates, readResource, upstreamUri } from "./passthrough.ts";
import { Upstream, type UpstreamOptions } from "./upstream.ts";
import { SSE_LIMITS, SseSessions, type MessageContext, type SessionTransport, type SseLimits } from "./sse-sessions.ts";

export { MCP_FORBIDDEN } from "./errors.ts";

/**
 * How long a call trusts a server's last listing to map a tool name. A name the listing lacks is
 * always looked up afresh, so a tool the server added is callable at once; past this age a call
 * lists again, so a tool the server renamed or removed is not called under its old name.
 */
const LISTING_TTL_MS = 60_000;

/** Whether a server's allowed_tools / disallowed_tools let `tool` (the server's own name) through. */
export function toolAllowed(entry: McpServerEntry, tool: string): boolean {
  if (entry.allowed_tools && !entry.allowed_tools.includes(tool)) return false;
  return !entry.disallowed_tools?.includes(tool);
}

/** What the gateway needs of a server: an MCP server (Upstream) or an HTTP API described by OpenAPI (OpenApiUpstream). */
export type ToolSource = Upstream | OpenApiUpstream;

/** The tool source a server entry describes; the gateway and the preview both make theirs here, so both name tools alike. */
export function toolSource(name: string, entry: McpServerEntry, options: UpstreamOptions = {}): ToolSource {
  return entry.spec_path !== undefined || entry.spec !== undefined ? new OpenApiUpstream(name, entry) : new Upstream(name, entry, options);
}

/** A tool as the gateway shows it (named `<server>-<tool>`), its server, and the server's own name for it. */
export interface CatalogTool {
  tool: Tool;
  server: string;
  original: string;
}

/** What an SDK server built for one connection answers for: its scope, whose calls it may cancel, and each message's caller and request. */
interface Binding {
  only: string | undefined;
  /** The identity calls are registered under in `InFlight`: a notifications/cancelled reaches only this owner's calls. */
  owner: string;
  contextOf(requestId: RequestId): MessageContext;
}

/** One server's tools as the gateway shows them: filtered, then named `<server>-<tool>`. */
interface Listing {
  tools: Tool[];
  /** Gateway name -> the server's own name. */
  names: Map<string, string>;
}

/**
 * The MCP gateway: one MCP server (the SDK's) in front of the configured upstream servers, over
 * Web-standard Streamable HTTP (stateless: each request gets a fresh SDK server) and over the
 * older HTTP+SSE transport (each session gets one, bound to the key that opened it). Every message
 * is answered for the caller its own HTTP request authenticated as, so what is listed and callable
 * is always what that caller's key allows now; the upstream connections behind it are shared.
 */
export class McpGateway {
  private readonly upstreams = new Map<string, ToolSource>();
  /** Each server's last listing, so a call does not list the server's tools again. */
  private readonly listings = new Map<string, { listing: Listing; at: number }>();
  private readonly prices = new Map<string, ToolPrices>();
  /** Calls in progress, so a notifications/cancelled (its own POST) reaches them. */
  private readonly inflight = new InFlight();
  /** The HTTP+SSE sessions (`GET /mcp/sse`). */
  private readonly sessions: SseSessions;
  /** Other names permissions may give a served server (a stored server's server_id), by served name. */
  private otherIds: Readonly<Record<string, readonly string[]>> = {};

  constructor(
    servers: Readonly<Record<string, McpServerEntry>>,
    private readonly logError: (message: string, error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
    /** Where tool calls are admitted, written to the ledger and traced. */
    private readonly observers: McpObservers = {},
    sseLimits: Partial<SseLimits> = {},
  ) {
    this.sessions = new SseSessions((transport, first, only, initializing) => this.connectSession(transport, first, only, initializing), { ...SSE_LIMITS, ...sseLimits }, now);
    for (const [name, entry] of Object.entries(servers)) {
      this.upstreams.set(name, toolSource(name, entry, this.sourceOptions()));
      this.prices.set(name, toolPrices(entry));
    }
  }

  /** What each upstream reports through (a stdio server's stderr and exits) and its clock. */
  private sourceOptions(): UpstreamOptions {
    return { logError: this.logError, now: this.now };
  }

  has(name: string): boolean {
    return this.upstreams.has(name);
  }

  /** The names of the servers served now. */
  serverNames(): string[] {
    return [...this.upstreams.keys()];
  }

  /** What the access rules know of a served server. */
  private identity(upstream: ToolSource): McpServerIdentity {
    return { ids: [upstream.name, ...(this.otherIds[upstream.name] ?? [])], accessGroups: upstream.entry.access_groups ?? [] };
  }

  /** Whether `caller` may use the served server `name` (its key's, team's and organisation's MCP access; false for one not served). */
  mayUse(caller: Caller, name: string): boolean {
    const upstream = this.upstreams.get(name);
    return upstream !== undefined && mayUseServer(caller, this.identity(upstream));
  }

  /**
   * Serves exactly `servers` from now on (servers added, changed or removed at run time); `otherIds`
   * gives, by served name, the other names permissions may call a server by (its server_id). An
   * unchanged server keeps its connection and listing; a changed or removed one is closed (a
   * stdio server's process stopped).
   */
  async setServers(servers: Readonly<Record<string, McpServerEntry>>, otherIds: Readonly<Record<string, readonly string[]>> = {}): Promise<void> {
    this.otherIds = otherIds;
    const closing: Promise<void>[] = [];
    for (const [name, upstream] of this.upstreams) {
      const next = servers[name];
      if (next && JSON.stringify(next) === JSON.stringify(upstream.entry)) continue;
      this.upstreams.delete(name);
      this.listings.delete(name);
      this.prices.delete(name);
      // An SSE session of /mcp/<name>/sse has nothing left to serve.
      if (!next) this.sessions.closeScoped(name);
      closing.push(upstream.close());
    }
    for (const [name, entry] of Object.entries(servers)) {
      if (this.upstreams.has(name)) continue;
      this.upstreams.set(name, toolSource(name, entry, this.sourceOptions()));
      this.prices.set(name, toolPrices(entry));
    }
    await Promise.all(closing);
  }

  /**
   * Answers one MCP POST for `caller`, over every server (`only` undefined) or over one. A request
   * carrying a progress token is answered as an SSE stream, so the upstream's progress notifications
   * reach the client before the result; every other request is answered as plain JSON.
   */
  handle(request: Request, caller: Caller, only?: string): Promise<Response> {
    // The upstream calls made for this request read the caller's extra_headers from here (extra-headers.ts).
    return withClientHeaders(request.headers, () => this.answer(request, caller, only));
  }

  /** Opens an HTTP+SSE session (`GET /mcp/sse`) for `caller`; its messages are POSTed to `messagesPath`. */
  openSession(request: Request, caller: Caller, only: string | undefined, ssePath: string, messagesPath: string): Response {
    return this.sessions.open(request, caller, only, ssePath, messagesPath);
  }

  /** One POST to an HTTP+SSE session's `messagesPath`: 202, the answers going down the session's stream. */
  postToSession(request: Request, caller: Caller, ssePath: string, messagesPath: string): Promise<Response> {
    // Each POST's own headers are the extra_headers of the upstream calls its messages make.
    return withClientHeaders(request.headers, () => this.sessions.post(request, caller, ssePath, messagesPath));
  }

  /** The gateway is stopping: no new SSE session, and each ends once its requests in progress are answered. */
  drainSessions(): void {
    this.sessions.drain();
  }

  private async answer(request: Request, caller: Caller, only: string | undefined): Promise<Response> {
    const messages = await messagesOf(request);
    const streams = messages.some((message) => message.params?._meta?.progressToken !== undefined);
    const initializing = messages.some((message) => message.method === "initialize");
    const capabilities = initializing ? await this.capabilities(caller, only) : ALL_CAPABILITIES;
    const context: MessageContext = { caller, request };
    // Stateless: a cancellation arrives on its own POST, so it finds the call through the gateway by the caller's identity.
    const server = this.serverFor(capabilities, { only, owner: callerId(caller), contextOf: () => context });
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: !streams });
    await server.connect(transport);
    // A client that goes away cancels what it asked for.
    const closeOnAbort = () => void server.close();
    request.signal.addEventListener("abort", closeOnAbort, { once: true });
    const response = await transport.handleRequest(request);
    if (!streams || !response.body) {
      request.signal.removeEventListener("abort", closeOnAbort);
      await server.close();
      return response;
    }
    // The SSE stream ends after the last answer; the server is closed then (or when the client leaves).
    const body = response.body.pipeThrough(
      new TransformStream({
        flush: () => {
          request.signal.removeEventListener("abort", closeOnAbort);
          void server.close();
        },
      }),
    );
    return new Response(body, { status: response.status, headers: response.headers });
  }

  /** An HTTP+SSE session's SDK server, built on its first message (capabilities as initialize asks) and connected to its stream. */
  private async connectSession(transport: SessionTransport, first: MessageContext, only: string | undefined, initializing: boolean): Promise<Server> {
    const capabilities = initializing ? await this.capabilities(first.caller, only) : ALL_CAPABILITIES;
    // A cancellation comes on the session, so only this session's calls are its to cancel.
    const server = this.serverFor(capabilities, { only, owner: `sse:${transport.sessionId}`, contextOf: (id) => transport.contextOf(id) });
    await server.connect(transport);
    return server;
  }

  /**
   * An SDK server answering over the gateway: tools always, resources and prompts when
   * `capabilities` has them, progress relayed, cancellation reaching the upstream. Both transports
   * build theirs here; each handler asks `binding` for the caller and request of its message.
   */
  private serverFor(capabilities: ServerCapabilities, binding: Binding): Server {
    const { only, owner, contextOf } = binding;
    const server = new Server({ name: "switchboard", version: VERSION }, { capabilities });
    server.setRequestHandler(ListToolsRequestSchema, async (_list, extra) => ({ tools: await this.listTools(contextOf(extra.requestId).caller, only) }));
    server.setRequestHandler(CallToolRequestSchema, async (call, extra) => {
      const { caller, request } = contextOf(extra.requestId);
      return this.inflight.run(owner, extra.requestId, extra.signal, (signal) => {
        const token = call.params._meta?.progressToken;
        const options: RequestOptions = { signal };
        // The upstream's progress goes back to the client under the client's own token.
        if (token !== undefined) {
          options.onprogress = (progress) => void extra.sendNotification({ method: "notifications/progress", params: { ...progress, progressToken: token } }).catch(() => undefined);
          options.resetTimeoutOnProgress = true;
        }
        return this.callTool(request, caller, only, call.params.name, call.params.arguments, options);
      });
    });
    // The SDK server refuses a handler for a capability it was not given.
    if (capabilities.resources) this.serveResources(server, binding);
    if (capabilities.prompts) this.servePrompts(server, binding);
    server.setNotificationHandler(CancelledNotificationSchema, async (cancel) => {
      if (cancel.params.requestId !== undefined) this.inflight.cancel(owner, cancel.params.requestId, cancel.params.reason);
    });
    return server;
  }

  private serveResources(server: Server, { only, owner, contextOf }: Binding): void {
    server.setRequestHandler(ListResourcesRequestSchema, async (_list, extra) => ({ resources: await listResources(this.mcpServers(contextOf(extra.requestId).caller, only), this.logError) }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async (_list, extra) => ({
      resourceTemplates: await listResourceTemplates(this.mcpServers(contextOf(extra.requestId).caller, only), this.logError),
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (read, extra) => {
      const target = upstreamUri(read.params.uri);
      const upstream = target && this.mcpServer(contextOf(extra.requestId).caller, only, target.server, `resource '${read.params.uri}'`);
      if (!target || !upstream) throw new McpAnswerError(ErrorCode.InvalidParams, `Unknown resource '${read.params.uri}'. resources/list names the resources; each is mcp://<server>/<uri>.`);
      return this.inflight.run(owner, extra.requestId, extra.signal, (signal) => readResource(upstream, target.uri, { signal }));
    });
  }

  private servePrompts(server: Server, { only, owner, contextOf }: Binding): void {
    server.setRequestHandler(ListPromptsRequestSchema, async (_list, extra) => ({ prompts: await listPrompts(this.mcpServers(contextOf(extra.requestId).caller, only), this.logError) }));
    server.setRequestHandler(GetPromptRequestSchema, async (get, extra) => {
      const named = this.serverOf(get.params.name, only);
      const upstream = named && this.mcpServer(contextOf(extra.requestId).caller, only, named.name, `prompt '${get.params.name}'`);
      if (!upstream) throw new McpAnswerError(ErrorCode.InvalidParams, `Unknown prompt '${get.params.name}'. prompts/list names the prompts; each is <server>-<prompt>.`);
      return this.inflight.run(owner, extra.requestId, extra.signal, (signal) => getPrompt(upstream, get.params.name, get.params.arguments, { signal }));
    });
  }

  /** What the gateway offers `caller`: tools always; resources and prompts when a reachable server offers them. */
  private async capabilities(caller: Caller, only: string | undefined): Promise<ServerCapabilities> {
    const offered = await Promise.all(this.mcpServers(caller, only).map((upstream) => upstream.capabilities().catch(() => ({}) as ServerCapabilities)));
    const capabilities: ServerCapabilities = { tools: {} };
    if (offered.some((c) => c.resources)) capabilities.resources = {};
    if (offered.some((c) => c.prompts)) capabilities.prompts = {};
    return capabilities;
  }

  /** The reachable MCP servers (OpenAPI servers offer no resources or prompts). */
  private mcpServers(caller: Caller, only: string | undefined): Upstream[] {
    return this.reachable(caller, only).filter((upstream): upstream is Upstream => upstream instanceof Upstream);
  }

  /** The MCP server `name` for a resource or prompt of `caller`; a server the key may not use is refused as a tool call is. */
  private mcpServer(caller: Caller, only: string | undefined, name: string, what: string): Upstream | undefined {
    const upstream = this.upstreams.get(name);
    if (!upstream || (only !== undefined && only !== name) || !(upstream instanceof Upstream)) return undefined;
    if (!mayUseServer(caller, this.identity(upstream))) throw new McpAnswerError(MCP_FORBIDDEN, `This key may not use MCP server '${name}' (${what}). ${ASK_FOR_SERVER}`);
    return upstream;
  }

  /** Closes every upstream connection and stops every stdio server's process. */
  async close(): Promise<void> {
    await this.sessions.close();
    await Promise.all([...this.upstreams.values()].map((upstream) => upstream.close()));
  }

  /** The servers in scope that the caller may use. */
  private reachable(caller: Caller, only: string | undefined): ToolSource[] {
    const scope = only === undefined ? [...this.upstreams.values()] : [this.upstreams.get(only)].filter((u): u is ToolSource => !!u);
    return scope.filter((upstream) => mayUseServer(caller, this.identity(upstream)));
  }

  /** The tools `caller` may use, of every server (`only` undefined) or of one, named <server>-<tool>: tools/list of /mcp and /mcp-rest. */
  async listTools(caller: Caller, only: string | undefined): Promise<Tool[]> {
    return (await this.catalog(caller, only)).map((entry) => entry.tool);
  }

  /** The tools `caller` may use with the server each belongs to and the server's own name for it (MCP tools in chat). */
  async catalog(caller: Caller, only: string | undefined): Promise<CatalogTool[]> {
    const servers = this.reachable(caller, only);
    const listings = await Promise.all(
      servers.map(async (upstream) => {
        const listing = await this.listing(upstream).catch((error: unknown) => {
          // One server down must not hide the others' tools; asked for that server alone, it is the answer.
          if (only !== undefined) throw error;
          this.logError(`MCP server '${upstream.name}' tools/list`, error);
          return { tools: [], names: new Map() } satisfies Listing;
        });
        // The listing is shared by every caller: what this one may call is picked from it.
        const allowed = allowedTools(caller, this.identity(upstream));
        return allowed ? { ...listing, tools: listing.tools.filter((tool) => allowed.has(listing.names.get(tool.name) as string)) } : listing;
      }),
    );
    return listings.flatMap((listing, i) => listing.tools.map((tool) => ({ tool, server: (servers[i] as ToolSource).name, original: listing.names.get(tool.name) as string })));
  }

  /** A server's listing, fetched afresh; it is kept so calls can map names without a round trip. */
  private async listing(upstream: ToolSource): Promise<Listing> {
    const all = (await upstream.listTools()).filter((tool) => toolAllowed(upstream.entry, tool.name));
    const names = toolNames(upstream.name, all.map((tool) => tool.name));
    const byOriginal = new Map([...names].map(([name, original]) => [original, name]));
    const listing = { tools: all.map((tool) => ({ ...tool, name: byOriginal.get(tool.name) as string })), names };
    this.listings.set(upstream.name, { listing, at: this.now() });
    return listing;
  }

  /** The server's own name for a gateway tool name: from the kept listing while fresh and naming it, else from a new one. */
  private async originalName(upstream: ToolSource, name: string): Promise<string | undefined> {
    const kept = this.listings.get(upstream.name);
    const found = kept && this.now() - kept.at < LISTING_TTL_MS ? kept.listing.names.get(name) : undefined;
    return found ?? (await this.listing(upstream)).names.get(name);
  }

  /** One tools/call of `caller` over `request` (of /mcp and /mcp-rest), `name` being <server>-<tool>. */
  async callTool(
    request: Request,
    caller: Caller,
    only: string | undefined,
    name: string,
    args: Record<string, unknown> | undefined,
    options: RequestOptions = {},
    /** Told the price charged, once the tool ran (a chat's MCP tools add it to the answer's cost). */
    charged?: (priceNano: number) => void,
  ): Promise<CallToolResult> {
    const upstream = this.serverOf(name, only);
    if (!upstream) throw new McpAnswerError(ErrorCode.InvalidParams, `Unknown tool '${name}'. tools/list names the tools; each is <server>-<tool>.`);
    const identity = this.identity(upstream);
    if (!mayUseServer(caller, identity)) throw new McpAnswerError(MCP_FORBIDDEN, `This key may not use MCP server '${upstream.name}'. ${ASK_FOR_SERVER}`);
    const direct = name.slice(upstream.name.length + 1);
    // The server's own name, through its listing (names may have been sanitised, and the filters apply).
    const original = await this.originalName(upstream, name);
    const allowed = allowedTools(caller, identity);
    // Refused before saying whether the tool exists: a caller learns no more tools than it may call.
    if (allowed && !allowed.has(original ?? direct)) {
      throw new McpAnswerError(
        MCP_FORBIDDEN,
        `This key may not call tool '${name}' of MCP server '${upstream.name}'. Ask an administrator to add '${original ?? direct}' to the server's list in the object_permission.mcp_tool_permissions of the key, its team or its organisation.`,
      );
    }
    if (original === undefined) {
      const filtered = toolAllowed(upstream.entry, direct) ? "" : " (not allowed on this gateway)";
      throw new McpAnswerError(filtered ? MCP_FORBIDDEN : ErrorCode.InvalidParams, `MCP server '${upstream.name}' has no tool '${direct}'${filtered}.`);
    }
    const priceNano = (this.prices.get(upstream.name) as ToolPrices).of(original);
    const call = { caller, request, server: upstream.name, name, original, args, priceNano };
    const result = await observeToolCall(this.observers, call, () => upstream.callTool(original, args, options));
    charged?.(priceNano);
    return result;
  }

  /** The server a gateway tool name belongs to: the longest configured name followed by `-`. */
  private serverOf(name: string, only: string | undefined): ToolSource | undefined {
    let found: ToolSource | undefined;
    for (const upstream of this.upstreams.values()) {
      if (only !== undefined && upstream.name !== only) continue;
      if (name.startsWith(`${upstream.name}-`) && (!found || upstream.name.length > found.name.length)) found = upstream;
    }
    return found;
  }
}

/** What a refusal of a server tells the caller to ask for. */
const ASK_FOR_SERVER = "Ask an administrator to allow it in the object_permission (mcp_servers, mcp_access_groups) or metadata.mcp_servers of the key, its team or its organisation.";

/** Every capability the gateway may serve: a request other than initialize is handled as any server would. */
const ALL_CAPABILITIES: ServerCapabilities = { tools: {}, resources: {}, prompts: {} };

interface Message {
  method?: string;
  params?: { _meta?: { progressToken?: unknown } };
}

/** The request's JSON-RPC messages, read from a copy (the transport reads the body itself); none when the body is not JSON. */
async function messagesOf(request: Request): Promise<Message[]> {
  if (request.method !== "POST") return [];
  const parsed: unknown = await request.clone().json().catch(() => undefined);
  return (Array.isArray(parsed) ? parsed : [parsed]).filter((m): m is Message => typeof m === "object" && m !== null);
}
