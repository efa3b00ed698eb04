import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { MCP_FORBIDDEN, McpAnswerError } from "./errors.ts";
import type { Caller } from "../auth/caller.ts";
import type { McpServerEntry } from "../config/schema.ts";
import { VERSION } from "../version.ts";
import { mayUseServer } from "./access.ts";
import { observeToolCall, type McpObservers } from "./observe.ts";
import { toolPrices, type ToolPrices } from "./prices.ts";
import { toolNames } from "./names.ts";
import { OpenApiUpstream } from "./openapi/upstream.ts";
import { Upstream } from "./upstream.ts";

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
export function toolSource(name: string, entry: McpServerEntry): ToolSource {
  return entry.spec_path !== undefined || entry.spec !== undefined ? new OpenApiUpstream(name, entry) : new Upstream(name, entry);
}

/** One server's tools as the gateway shows them: filtered, then named `<server>-<tool>`. */
interface Listing {
  tools: Tool[];
  /** Gateway name -> the server's own name. */
  names: Map<string, string>;
}

/**
 * The MCP gateway: one MCP server (the SDK's, over Web-standard Streamable HTTP, stateless) in
 * front of the configured upstream servers. Each request gets a fresh SDK server bound to its
 * caller, so what is listed and callable is always what that caller's key allows; the upstream
 * connections behind it are shared.
 */
export class McpGateway {
  private readonly upstreams = new Map<string, ToolSource>();
  /** Each server's last listing, so a call does not list the server's tools again. */
  private readonly listings = new Map<string, { listing: Listing; at: number }>();
  private readonly prices = new Map<string, ToolPrices>();

  constructor(
    servers: Readonly<Record<string, McpServerEntry>>,
    private readonly logError: (message: string, error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
    /** Where tool calls are admitted, written to the ledger and traced. */
    private readonly observers: McpObservers = {},
  ) {
    for (const [name, entry] of Object.entries(servers)) {
      this.upstreams.set(name, toolSource(name, entry));
      this.prices.set(name, toolPrices(entry));
    }
  }

  has(name: string): boolean {
    return this.upstreams.has(name);
  }

  /** The names of the servers served now. */
  serverNames(): string[] {
    return [...this.upstreams.keys()];
  }

  /**
   * Serves exactly `servers` from now on (servers added, changed or removed at run time). An
   * unchanged server keeps its connection and listing; a changed or removed one is closed.
   */
  async setServers(servers: Readonly<Record<string, McpServerEntry>>): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [name, upstream] of this.upstreams) {
      const next = servers[name];
      if (next && JSON.stringify(next) === JSON.stringify(upstream.entry)) continue;
      this.upstreams.delete(name);
      this.listings.delete(name);
      this.prices.delete(name);
      closing.push(upstream.close());
    }
    for (const [name, entry] of Object.entries(servers)) {
      if (this.upstreams.has(name)) continue;
      this.upstreams.set(name, new Upstream(name, entry));
      this.prices.set(name, toolPrices(entry));
    }
    await Promise.all(closing);
  }

  /** Answers one MCP POST for `caller`, over every server (`only` undefined) or over one. */
  async handle(request: Request, caller: Caller, only?: string): Promise<Response> {
    const server = new Server({ name: "switchboard", version: VERSION }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await this.listTools(caller, only) }));
    server.setRequestHandler(CallToolRequestSchema, async (call) => this.callTool(request, caller, only, call.params.name, call.params.arguments));
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      await server.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.upstreams.values()].map((upstream) => upstream.close()));
  }

  /** The servers in scope that the caller may use. */
  private reachable(caller: Caller, only: string | undefined): ToolSource[] {
    const scope = only === undefined ? [...this.upstreams.values()] : [this.upstreams.get(only)].filter((u): u is ToolSource => !!u);
    return scope.filter((upstream) => mayUseServer(caller, upstream.name));
  }

  /** The tools `caller` may use, of every server (`only` undefined) or of one, named <server>-<tool>: tools/list of /mcp and /mcp-rest. */
  async listTools(caller: Caller, only: string | undefined): Promise<Tool[]> {
    const servers = this.reachable(caller, only);
    const listings = await Promise.all(
      servers.map((upstream) =>
        this.listing(upstream).catch((error: unknown) => {
          // One server down must not hide the others' tools; asked for that server alone, it is the answer.
          if (only !== undefined) throw error;
          this.logError(`MCP server '${upstream.name}' tools/list`, error);
          return { tools: [], names: new Map() } satisfies Listing;
        }),
      ),
    );
    return listings.flatMap((listing) => listing.tools);
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
  async callTool(request: Request, caller: Caller, only: string | undefined, name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    const upstream = this.serverOf(name, only);
    if (!upstream) throw new McpAnswerError(ErrorCode.InvalidParams, `Unknown tool '${name}'. tools/list names the tools; each is <server>-<tool>.`);
    if (!mayUseServer(caller, upstream.name)) throw new McpAnswerError(MCP_FORBIDDEN, `This key may not use MCP server '${upstream.name}'. Ask an administrator to add it to the key's or team's mcp_servers.`);
    const direct = name.slice(upstream.name.length + 1);
    // The server's own name, through its listing (names may have been sanitised, and the filters apply).
    const original = await this.originalName(upstream, name);
    if (original === undefined) {
      const filtered = toolAllowed(upstream.entry, direct) ? "" : " (not allowed on this gateway)";
      throw new McpAnswerError(filtered ? MCP_FORBIDDEN : ErrorCode.InvalidParams, `MCP server '${upstream.name}' has no tool '${direct}'${filtered}.`);
    }
    const priceNano = (this.prices.get(upstream.name) as ToolPrices).of(original);
    const call = { caller, request, server: upstream.name, name, original, args, priceNano };
    return observeToolCall(this.observers, call, () => upstream.callTool(original, args));
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
