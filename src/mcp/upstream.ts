import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { ErrorCode, McpError, type CallToolResult, type GetPromptResult, type Prompt, type ReadResourceResult, type Resource, type ResourceTemplate, type ServerCapabilities, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerEntry } from "../config/schema.ts";
import { VERSION } from "../version.ts";
import { McpAnswerError } from "./errors.ts";
import { passThroughFetch } from "./extra-headers.ts";
import { bearerFetch, OAuthToken } from "./oauth-token.ts";
import { RestartBackoff, stdioTransport } from "./stdio.ts";

/** The header LiteLLM sends each auth_type's value in, and the value's prefix. */
const AUTH_HEADERS: Record<string, [header: string, prefix: string]> = {
  bearer_token: ["authorization", "Bearer "],
  api_key: ["x-api-key", ""],
  basic: ["authorization", "Basic "],
  authorization: ["authorization", ""],
  token: ["authorization", "token "],
};

/** The headers every request to the server carries: its static headers, then its credential. Never anything of the caller's. */
export function upstreamHeaders(entry: McpServerEntry): Record<string, string> {
  const headers: Record<string, string> = { ...entry.static_headers };
  const auth = entry.auth_type ? AUTH_HEADERS[entry.auth_type] : undefined;
  if (auth && entry.auth_value) headers[auth[0]] = `${auth[1]}${entry.auth_value}`;
  return headers;
}

/** Where an upstream reports what happens out of any call (a stdio server's stderr and exits), and its clock. */
export interface UpstreamOptions {
  logError?: (message: string, error: unknown) => void;
  now?: () => number;
}

/**
 * One configured upstream MCP server: an SDK client connected on first use and reused by every
 * caller (the server's own credential, so nothing per caller rides on it; a caller's extra_headers
 * are added to each HTTP request made for that caller, by the fetch). A connection that
 * fails is dropped, so the next call connects afresh. Errors leave as JSON-RPC errors whose text names
 * the server and never carries its credential.
 *
 * A stdio server's connection is its process: started on first use as an HTTP server is connected
 * (not at the gateway's start: a server no caller uses runs nothing, and a slow `npx -y` delays no
 * start), shared by every caller, started again on the next use after it exits (held back while it
 * keeps exiting), and stopped by close().
 */
export class Upstream {
  private client: Promise<Client> | undefined;
  private readonly secrets: string[];
  /** The server's OAuth2 access token (auth_type oauth2), shared by every call. */
  private readonly oauth: OAuthToken | undefined;
  /** A stdio server's restart pacing. */
  private readonly restarts: RestartBackoff | undefined;
  private readonly logError: (message: string, error: unknown) => void;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    readonly entry: McpServerEntry,
    options: UpstreamOptions = {},
  ) {
    const values = [entry.auth_value, entry.client_secret, ...Object.values(entry.static_headers ?? {}), ...Object.values(entry.env ?? {})];
    this.secrets = values.filter((value): value is string => !!value && value.length >= 4);
    if (entry.auth_type === "oauth2") this.oauth = new OAuthToken(name, entry);
    this.logError = options.logError ?? (() => undefined);
    this.now = options.now ?? Date.now;
    if (entry.transport === "stdio") this.restarts = new RestartBackoff(this.now);
  }

  /** Every tool the server lists (all pages), before allowed/disallowed filtering. */
  async listTools(): Promise<Tool[]> {
    return this.use(async (client) => {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {});
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      return tools;
    });
  }

  /** `options` carries the caller's abort signal and progress handler through to the server. */
  async callTool(name: string, args: Record<string, unknown> | undefined, options: RequestOptions = {}): Promise<CallToolResult> {
    return this.use(async (client) => (await client.callTool({ name, ...(args ? { arguments: args } : {}) }, undefined, options)) as CallToolResult, options.signal);
  }

  /** What the server said it offers when the gateway connected. */
  async capabilities(): Promise<ServerCapabilities> {
    return this.use(async (client) => client.getServerCapabilities() ?? {});
  }

  /** Every resource the server lists (all pages); none when it offers no resources. */
  async listResources(): Promise<Resource[]> {
    return this.pages("resources", async (client, cursor) => {
      const page = await client.listResources(cursor ? { cursor } : {});
      return [page.resources, page.nextCursor];
    });
  }

  async listResourceTemplates(): Promise<ResourceTemplate[]> {
    return this.pages("resources", async (client, cursor) => {
      const page = await client.listResourceTemplates(cursor ? { cursor } : {});
      return [page.resourceTemplates, page.nextCursor];
    });
  }

  async readResource(uri: string, options: RequestOptions = {}): Promise<ReadResourceResult> {
    return this.use((client) => client.readResource({ uri }, options), options.signal);
  }

  async listPrompts(): Promise<Prompt[]> {
    return this.pages("prompts", async (client, cursor) => {
      const page = await client.listPrompts(cursor ? { cursor } : {});
      return [page.prompts, page.nextCursor];
    });
  }

  async getPrompt(name: string, args: Record<string, string> | undefined, options: RequestOptions = {}): Promise<GetPromptResult> {
    return this.use((client) => client.getPrompt({ name, ...(args ? { arguments: args } : {}) }, options), options.signal);
  }

  /** All pages of a listing, or nothing when the server does not offer `capability` (asking would be an error). */
  private pages<T>(capability: "resources" | "prompts", page: (client: Client, cursor: string | undefined) => Promise<[T[], string | undefined]>): Promise<T[]> {
    return this.use(async (client) => {
      if (!client.getServerCapabilities()?.[capability]) return [];
      const all: T[] = [];
      let cursor: string | undefined;
      do {
        const [items, next] = await page(client, cursor);
        all.push(...items);
        cursor = next;
      } while (cursor);
      return all;
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.then((c) => c.close()).catch(() => undefined);
  }

  private connect(): Promise<Client> {
    if (this.restarts) return this.start(this.restarts);
    // The config requires a url of every server that has no OpenAPI document.
    const url = new URL(this.entry.url ?? "");
    const headers = upstreamHeaders(this.entry);
    const base = this.oauth ? bearerFetch(this.oauth) : undefined;
    // The caller's extra_headers ride on each HTTP request, not on the shared connection (see extra-headers.ts).
    const own = [...Object.keys(headers), ...(this.oauth ? ["authorization"] : [])];
    const send = this.entry.extra_headers?.length ? passThroughFetch(this.entry, own, base ?? ((url, init) => fetch(url, init))) : base;
    const options = { requestInit: { headers }, ...(send ? { fetch: send } : {}) };
    const transport = this.entry.transport === "sse" ? new SSEClientTransport(url, options) : new StreamableHTTPClientTransport(url, options);
    const client = new Client({ name: "switchboard", version: VERSION });
    return client.connect(transport).then(() => client);
  }

  /**
   * Starts a stdio server's process and connects to it. Its end (an exit, or a start that failed)
   * is counted once, logged, and drops the connection, so the next use starts it again; close()
   * drops the connection first, so a stop it asked for is not counted.
   */
  private start(restarts: RestartBackoff): Promise<Client> {
    const wait = restarts.wait();
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      return Promise.reject(new McpAnswerError(ErrorCode.InternalError, `MCP server '${this.name}' (a command the gateway runs) keeps exiting; it is started again in ${seconds} s. Ask an administrator to check its command and the gateway's log.`));
    }
    const startedAt = this.now();
    const transport = stdioTransport(this.entry, (line) => this.logError(`MCP server '${this.name}' stderr`, new Error(this.scrub(line))));
    const client = new Client({ name: "switchboard", version: VERSION });
    let connected = false;
    let over = false;
    const ended = (what: string) => {
      if (over) return;
      over = true;
      const delay = restarts.exited(startedAt);
      const next = delay > 0 ? `started again on a use after ${Math.ceil(delay / 1000)} s` : "started again on its next use";
      this.logError(`MCP server '${this.name}'`, new Error(`${what}; ${next}`));
    };
    const connecting: Promise<Client> = client.connect(transport).then(
      () => {
        connected = true;
        return client;
      },
      async (error: unknown) => {
        ended(`its command could not be started or did not answer initialize (${this.scrub(error instanceof Error ? error.message : String(error))})`);
        await client.close().catch(() => undefined);
        throw error;
      },
    );
    client.onclose = () => {
      // Before initialize was answered, the failed connect reports the end, with its reason.
      if (!connected || this.client !== connecting) return;
      this.client = undefined;
      ended("its process exited");
    };
    return connecting;
  }

  /** Runs `work` on the connection; `signal` is the caller's, whose abort is a cancellation, not a broken connection. */
  private async use<T>(work: (client: Client) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const connecting = (this.client ??= this.connect());
    try {
      return await work(await connecting);
    } catch (error) {
      // The caller cancelled: the server was told (notifications/cancelled) and the connection stays good.
      if (signal?.aborted) throw new McpAnswerError(ErrorCode.RequestTimeout, `MCP server '${this.name}': the request was cancelled.`);
      // The upstream's own JSON-RPC error leaves the connection usable; anything else may not have.
      const answered = error instanceof McpError && error.code !== ErrorCode.ConnectionClosed && error.code !== ErrorCode.RequestTimeout;
      if (!answered && this.client === connecting) await this.close();
      throw this.toMcpError(error, answered);
    }
  }

  private toMcpError(error: unknown, answered: boolean): McpAnswerError {
    // The OAuth2 token's own failure, already worded for the caller.
    if (error instanceof McpAnswerError) return error;
    if (answered) {
      const upstream = error as McpError;
      // McpError prefixes "MCP error <code>: " (an SDK server's message may carry one already); the code is kept, the text scrubbed.
      const text = this.scrub(upstream.message.replace(/^(?:MCP error -?\d+: )+/, ""));
      return new McpAnswerError(upstream.code, `MCP server '${this.name}': ${text}`);
    }
    if (this.restarts && error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return new McpAnswerError(ErrorCode.InternalError, `MCP server '${this.name}' (a command the gateway runs) did not answer in time; its process was stopped and is started again on the next use.`);
    }
    if (this.restarts) {
      return new McpAnswerError(ErrorCode.InternalError, `MCP server '${this.name}' (a command the gateway runs) exited or could not be started; try again, or ask an administrator to check its command and the gateway's log.`);
    }
    const status = typeof (error as { code?: unknown }).code === "number" && (error as { code: number }).code >= 100 ? ` (HTTP ${(error as { code: number }).code})` : "";
    return new McpAnswerError(ErrorCode.InternalError, `MCP server '${this.name}' could not be reached or failed${status}; try again, or ask an administrator to check its url and credential.`);
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("***");
    return out;
  }
}
