import { ErrorCode, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerEntry } from "../../config/schema.ts";
import { McpAnswerError } from "../errors.ts";
import { passedHeaders } from "../extra-headers.ts";
import { OAuthToken } from "../oauth-token.ts";
import { upstreamHeaders } from "../upstream.ts";
import { loadSpec, type Operation } from "./spec.ts";
import { readCapped } from "./read-capped.ts";
import { guardedFetch, SsrfRefusal } from "../ssrf.ts";
import { openApiTools, requestOf } from "./tool.ts";

/** A response is read up to this many bytes, so one call cannot fill the model's context (or memory). */
const MAX_BYTES = 1_000_000;
const CALL_TIMEOUT_MS = 60_000;

interface Registered {
  tools: Tool[];
  byName: Map<string, Operation>;
  baseUrl: string | undefined;
}

/**
 * A server described by an OpenAPI (or Swagger 2) document: each operation is a tool. The document
 * is read and its names fixed on first use (registration); a failed read is retried on the next
 * use. Calls go to the entry's url, else the document's server, with the entry's credential, under
 * the SSRF rules (see ssrf.ts); the credential never appears in an answer.
 */
export class OpenApiUpstream {
  private registered: Promise<Registered> | undefined;
  private readonly secrets: string[];
  private readonly allowed: readonly string[];
  /** The server's OAuth2 access token (auth_type oauth2), shared by every call. */
  private readonly oauth: OAuthToken | undefined;

  constructor(
    readonly name: string,
    readonly entry: McpServerEntry,
  ) {
    if (entry.auth_type === "oauth2") this.oauth = new OAuthToken(name, entry);
    this.secrets = [entry.auth_value, entry.client_secret, ...Object.values(entry.static_headers ?? {})].filter((value): value is string => !!value && value.length >= 4);
    this.allowed = entry.allow_private_hosts ?? [];
  }

  async listTools(): Promise<Tool[]> {
    return (await this.register()).tools;
  }

  /** `options.signal` (the caller cancelled or left) aborts the HTTP call, as the timeout does. */
  async callTool(name: string, args: Record<string, unknown> | undefined, options: { signal?: AbortSignal } = {}): Promise<CallToolResult> {
    const registered = await this.register();
    const operation = registered.byName.get(name);
    if (!operation) throw new McpAnswerError(ErrorCode.InvalidParams, `MCP server '${this.name}' has no tool '${name}'.`);
    if (!registered.baseUrl) throw new McpAnswerError(ErrorCode.InternalError, `MCP server '${this.name}': its OpenAPI document names no server URL; ask an administrator to set the server's url.`);
    let request: ReturnType<typeof requestOf>;
    try {
      request = requestOf(registered.baseUrl, operation, args ?? {});
    } catch (error) {
      throw new McpAnswerError(ErrorCode.InvalidParams, `MCP server '${this.name}', tool '${name}': ${(error as Error).message}.`);
    }
    let response: Response;
    let read: { text: string; cut: boolean };
    // An OAuth2 token's own failure leaves as it is worded (outside the try below); a 401 renews the token once.
    let token = await this.oauth?.token();
    try {
      const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]) : AbortSignal.timeout(CALL_TIMEOUT_MS);
      const send = () => {
        // The caller's extra_headers, then the credential last, so neither an argument nor a caller can replace it.
        const own = upstreamHeaders(this.entry);
        const passed = passedHeaders(this.entry, [...Object.keys(own), ...(token ? ["authorization"] : [])]);
        const headers = { accept: "application/json, */*", ...request.headers, ...passed, ...own, ...(token ? { authorization: `Bearer ${token}` } : {}) };
        return guardedFetch(request.url, { method: operation.method.toUpperCase(), headers, ...(request.body !== undefined ? { body: request.body } : {}), signal }, this.allowed);
      };
      response = await send();
      if (response.status === 401 && this.oauth && token) {
        await response.body?.cancel();
        this.oauth.invalidate(token);
        token = await this.oauth.token();
        response = await send();
      }
      read = await readCapped(response, MAX_BYTES);
    } catch (error) {
      if (error instanceof McpAnswerError) throw error;
      const why = error instanceof SsrfRefusal ? `refused: ${error.message}` : "could not be reached or failed";
      throw new McpAnswerError(ErrorCode.InternalError, this.scrub(`MCP server '${this.name}' (${operation.method.toUpperCase()} ${operation.path}) ${why}.`));
    }
    const body = this.scrub(read.cut ? `${read.text}\n[cut at ${MAX_BYTES} bytes]` : pretty(read.text, response.headers.get("content-type")));
    if (!response.ok) return { isError: true, content: [{ type: "text", text: `HTTP ${response.status}${body ? `: ${body}` : ""}` }] };
    return { content: [{ type: "text", text: body }] };
  }

  async close(): Promise<void> {
    this.registered = undefined;
  }

  private register(): Promise<Registered> {
    const registering = (this.registered ??= this.load());
    registering.catch(() => {
      if (this.registered === registering) this.registered = undefined;
    });
    return registering.catch((error: unknown) => {
      const why = error instanceof SsrfRefusal ? `refused: ${error.message}` : error instanceof Error ? error.message : String(error);
      throw new McpAnswerError(ErrorCode.InternalError, this.scrub(`MCP server '${this.name}': its OpenAPI document could not be loaded (${why}).`));
    });
  }

  private async load(): Promise<Registered> {
    const spec = await loadSpec(this.entry);
    return { ...openApiTools(spec.operations), baseUrl: this.entry.url ?? spec.baseUrl };
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("***");
    return out;
  }
}

/** A whole response body as text: JSON pretty-printed, anything else as is. */
function pretty(text: string, contentType: string | null): string {
  if (!contentType || !/json/i.test(contentType)) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text; // Not JSON after all.
  }
}
