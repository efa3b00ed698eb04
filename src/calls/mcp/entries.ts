/**
 * The `{"type": "mcp"}` entries of a chat request's `tools` (OpenAI's Responses shape, which
 * LiteLLM accepts in chat completions and messages too): which of the gateway's MCP servers they
 * name, which of their tools they keep, and which calls need the client's approval.
 */
import { GatewayError } from "../../canonical/errors.ts";
import { echo } from "../../canonical/echo.ts";
import { isRecord } from "../../json/is-record.ts";

/** One `{"type": "mcp"}` tool entry, read. */
export interface McpToolEntry {
  /** The servers it names: one, or every server the key may use (`undefined`). */
  server: string | undefined;
  /** Tool names kept (the server's own or the gateway's `<server>-<tool>`); all when absent. */
  allowedTools?: readonly string[];
  /** Whether a call of this tool (gateway name, server's own name) is returned to the client instead of run. */
  needsApproval(name: string, original: string): boolean;
}

/** Whether the request has any MCP tool entry: one pass over `tools`, no allocation. */
export function hasMcpTools(body: Record<string, unknown>): boolean {
  const tools = body.tools;
  if (!Array.isArray(tools)) return false;
  for (const tool of tools) if (isRecord(tool) && tool.type === "mcp") return true;
  return false;
}

/** The gateway's own names for its MCP endpoint, as LiteLLM (`litellm_proxy`) and Switchboard spell them. */
const SELF = /^(?:litellm_proxy|switchboard)(?:\/mcp(?:\/([^/?#]+))?)?\/?$/;

const invalid = (message: string, param: string) => new GatewayError("caller.invalid_request", message, { param });

/**
 * The server a `server_url` names. `litellm_proxy` / `switchboard` (every server), their `/mcp/<server>`
 * forms, or this gateway's own URL (`http://<this host>/mcp[/<server>]`). Any other URL is refused: a
 * request never makes the gateway connect to an MCP server its administrators did not register.
 */
function serverOf(url: string, host: string | null, param: string): string | undefined {
  const self = SELF.exec(url);
  if (self) return nameOf(self[1], url, param);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const path = parsed && host !== null && parsed.host === host ? /^\/mcp(?:\/([^/]+))?\/?$/.exec(parsed.pathname) : null;
  if (path) return nameOf(path[1], url, param);
  throw invalid(
    `tools: server_url '${echo(url)}' is not an MCP server of this gateway. Name one as switchboard/mcp/<server> (or litellm_proxy/mcp/<server>), or all of the key's servers as switchboard; the gateway does not connect to MCP servers a request names.`,
    param,
  );
}

/** A server name as the URL spells it (percent-encoded); undefined when the URL names every server. */
function nameOf(encoded: string | undefined, url: string, param: string): string | undefined {
  if (encoded === undefined) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw invalid(`tools: server_url '${echo(url)}' is not valid percent-encoding.`, param);
  }
}

/** A list of tool names, from `["a"]` or `{"tool_names": ["a"]}` (OpenAI's filter object). */
function namesOf(value: unknown, param: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = isRecord(value) ? value.tool_names : value;
  if (Array.isArray(list) && list.every((name) => typeof name === "string")) return list as string[];
  throw invalid(`tools: ${param} must be a list of tool names, or {"tool_names": [...]}.`, param);
}

/**
 * OpenAI's `require_approval`: "never", "always" (the default, as OpenAI's), or
 * `{"never": {"tool_names": [...]}, "always": {"tool_names": [...]}}`, where a tool in neither list needs approval.
 */
function approvalOf(value: unknown, param: string): (name: string, original: string) => boolean {
  if (value === undefined || value === null || value === "always") return () => true;
  if (value === "never") return () => false;
  if (isRecord(value)) {
    const never = new Set(namesOf(value.never, `${param}.never`) ?? []);
    const always = new Set(namesOf(value.always, `${param}.always`) ?? []);
    return (name, original) => always.has(name) || always.has(original) || !(never.has(name) || never.has(original));
  }
  throw invalid(`tools: ${param} must be "never", "always" or {"never": {"tool_names": [...]}}.`, param);
}

/**
 * Splits `tools` into the MCP entries (read) and the rest (as sent). `host` is the request's Host,
 * to recognise this gateway's own URL; `exists` says whether a server is configured.
 */
export function mcpEntries(tools: readonly unknown[], host: string | null, exists: (server: string) => boolean): { entries: McpToolEntry[]; rest: unknown[] } {
  const entries: McpToolEntry[] = [];
  const rest: unknown[] = [];
  tools.forEach((tool, i) => {
    if (!isRecord(tool) || tool.type !== "mcp") {
      rest.push(tool);
      return;
    }
    const param = `tools[${i}]`;
    if (typeof tool.server_url !== "string" || tool.server_url === "") throw invalid(`tools: an MCP tool needs server_url, e.g. "switchboard/mcp/<server>".`, `${param}.server_url`);
    const server = serverOf(tool.server_url, host, `${param}.server_url`);
    if (server !== undefined && !exists(server)) throw invalid(`tools: no MCP server '${echo(server)}' is configured on this gateway. GET /v1/mcp/server lists them.`, `${param}.server_url`);
    const allowedTools = namesOf(tool.allowed_tools, `${param}.allowed_tools`);
    entries.push({ server, ...(allowedTools ? { allowedTools } : {}), needsApproval: approvalOf(tool.require_approval, `${param}.require_approval`) });
  });
  return { entries, rest };
}
