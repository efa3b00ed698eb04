/**
 * MCP servers managed at run time and MCP over REST, in LiteLLM's paths and shapes:
 * `/v1/mcp/server` (create, list, info, update, delete; proxy admins, viewers read),
 * `/mcp-rest/tools/list` and `/mcp-rest/tools/call` (any key, for the servers it may use, through
 * the same gateway code as /mcp), and `/mcp-rest/test/tools/list` (an admin previews a server's tools
 * before saving it). The config file's servers are listed but read-only; no answer holds a credential.
 */
import { ErrorCode, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { echo } from "../canonical/echo.ts";
import { GatewayError } from "../canonical/errors.ts";
import type { McpServerEntry } from "../config/schema.ts";
import { MCP_FORBIDDEN, McpAnswerError } from "../mcp/errors.ts";
import { withClientHeaders } from "../mcp/extra-headers.ts";
import type { McpGateway } from "../mcp/gateway.ts";
import { previewTools } from "../mcp/preview.ts";
import type { McpRegistry } from "../mcp/registry.ts";
import { addMcpServer, deleteMcpServer, notStored, previewEntry, updateMcpServer, type McpServerFields } from "../mcp/server-changes.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import { decodePathParam } from "../server/url.ts";
import type { StoredMcpServer } from "../store/types.ts";
import {
  MCP_UNAPPLIED,
  McpServerList,
  McpServerObject,
  NewMcpServerBody,
  RestCallBody,
  RestToolList,
  RestToolsQuery,
  UpdateMcpServerBody,
  type McpServerJson,
} from "./mcp-schemas.ts";
import { unappliedWarnings, withWarnings } from "./unapplied-fields.ts";
import { Type } from "@sinclair/typebox";

export interface McpRouteDeps {
  gateway: McpGateway;
  /** The config file's servers and the stored ones. */
  registry: McpRegistry;
}

const list = (value: unknown) => (Array.isArray(value) ? (value as string[]) : null);
const text = (value: unknown) => (typeof value === "string" ? value : null);

/** A stored server as answered: never its credentials. */
function storedJson(server: StoredMcpServer): McpServerJson {
  const s = server.settings;
  return {
    server_id: server.serverId,
    server_name: text(s.server_name) ?? server.serverName,
    alias: text(s.alias),
    description: text(s.description),
    url: text(s.url),
    transport: String(s.transport),
    auth_type: text(s.auth_type),
    token_url: text(s.token_url),
    extra_headers: list(s.extra_headers),
    allowed_tools: list(s.allowed_tools),
    disallowed_tools: list(s.disallowed_tools),
    allow_private_hosts: list(s.allow_private_hosts),
    mcp_access_groups: list(s.mcp_access_groups) ?? [],
    mcp_info: {},
    db_server: true,
    created_at: new Date(server.createdAt).toISOString(),
    updated_at: new Date(server.updatedAt).toISOString(),
  };
}

/** A config-file server as answered (its name is its id): never its credentials. */
function configJson(name: string, entry: McpServerEntry): McpServerJson {
  return {
    server_id: name,
    server_name: name,
    alias: null,
    description: entry.description ?? null,
    url: entry.url ?? null,
    transport: entry.transport ?? "http",
    auth_type: entry.auth_type ?? null,
    token_url: entry.token_url ?? null,
    extra_headers: entry.extra_headers ?? null,
    allowed_tools: entry.allowed_tools ?? null,
    disallowed_tools: entry.disallowed_tools ?? null,
    allow_private_hosts: null,
    mcp_access_groups: entry.access_groups ?? [],
    mcp_info: {},
    db_server: false,
    created_at: null,
    updated_at: null,
  };
}

const json = (value: unknown, status: number) => new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

/** An MCP error of the gateway as an HTTP error of the REST routes. */
function restError(error: unknown): unknown {
  if (!(error instanceof McpAnswerError)) return error;
  if (error.refusal) return error.refusal;
  if (error.code === MCP_FORBIDDEN) return new GatewayError("policy.forbidden", error.message);
  if (error.code === ErrorCode.InvalidParams) return new GatewayError("caller.invalid_request", error.message, { param: "name" });
  return new GatewayError("provider.server_error", error.message);
}

const restTool = (server: string) => (tool: Tool) => ({
  name: tool.name,
  ...(tool.description !== undefined ? { description: tool.description } : {}),
  inputSchema: tool.inputSchema,
  mcp_info: { server_name: server },
});

export function mcpAdminRoutes(deps: McpRouteDeps): RouteSpec[] {
  const { registry } = deps;
  const all = (): McpServerJson[] => [...Object.entries(registry.deps.config).map(([name, entry]) => configJson(name, entry)), ...registry.stored().map(storedJson)];
  /** The served server an id (or name) names, or the 404. */
  const serverName = (idOrName: string): string => {
    const stored = registry.stored().find((s) => s.serverId === idOrName);
    const name = stored?.serverName ?? idOrName;
    if (!deps.gateway.has(name)) throw new GatewayError("caller.route_not_found", `No MCP server '${echo(idOrName)}'. GET /v1/mcp/server lists them.`, { wireCode: "not_found", param: "server_id" });
    return name;
  };
  const answer = (server: StoredMcpServer, body: object) => withWarnings(storedJson(server), unappliedWarnings(body, MCP_UNAPPLIED));

  return [
    {
      method: "GET",
      paths: ["/v1/mcp/server"],
      summary: "Every MCP server: the config file's (read-only) and those added at run time (never a credential)",
      access: "admin-read",
      response: McpServerList,
      handle: () => all(),
    },
    {
      method: "GET",
      paths: ["/v1/mcp/server/:server_id"],
      summary: "One MCP server by id (a config-file server's id is its name; never a credential)",
      access: "admin-read",
      response: McpServerObject,
      handle: ({ params }) => {
        const id = decodePathParam(params.server_id ?? "");
        const found = all().find((server) => server.server_id === id);
        if (!found) throw notStored(registry, id, "read");
        return found;
      },
    },
    {
      method: "POST",
      paths: ["/v1/mcp/server"],
      summary: "Add an MCP server (http or sse), served at /mcp at once without a restart (credentials stored encrypted, never returned)",
      access: "admin",
      body: NewMcpServerBody,
      response: McpServerObject,
      handle: async ({ body }) => json(answer(await addMcpServer(registry, body as McpServerFields), body as object), 201),
    },
    {
      method: "PUT",
      paths: ["/v1/mcp/server"],
      summary: "Change an MCP server added at run time, named by server_id: only the fields sent (credentials left out are kept; config-file servers are read-only)",
      access: "admin",
      body: UpdateMcpServerBody,
      response: McpServerObject,
      handle: async ({ body }) => answer(await updateMcpServer(registry, body as McpServerFields & { server_id: string }), body as object),
    },
    {
      method: "DELETE",
      paths: ["/v1/mcp/server/:server_id"],
      summary: "Remove an MCP server added at run time; /mcp stops serving it at once (config-file servers are read-only)",
      access: "admin",
      response: Type.Null({ description: "202, no body" }),
      handle: async ({ params }) => {
        await deleteMcpServer(registry, decodePathParam(params.server_id ?? ""));
        return new Response(null, { status: 202 });
      },
    },
    {
      method: "GET",
      paths: ["/mcp-rest/tools/list"],
      summary: "The tools the key may use, of one MCP server (server_id) or of all, named <server>-<tool> as /mcp names them",
      query: RestToolsQuery,
      response: RestToolList,
      handle: async ({ request, query, caller }) => {
        const wanted = query.server_id;
        const names = wanted === undefined ? deps.gateway.serverNames() : [serverName(wanted)];
        if (wanted !== undefined && !deps.gateway.mayUse(caller, names[0] as string)) {
          throw new GatewayError(
            "policy.forbidden",
            `This key may not use MCP server '${echo(wanted)}'. Ask an administrator to allow it in the object_permission (mcp_servers, mcp_access_groups) or metadata.mcp_servers of the key, its team or its organisation.`,
          );
        }
        const tools: ReturnType<ReturnType<typeof restTool>>[] = [];
        const errors: string[] = [];
        for (const name of names.filter((n) => deps.gateway.mayUse(caller, n))) {
          try {
            // The caller's extra_headers reach the upstream here as on /mcp.
            tools.push(...(await withClientHeaders(request.headers, () => deps.gateway.listTools(caller, name))).map(restTool(name)));
          } catch (error) {
            errors.push(error instanceof Error ? error.message : String(error));
          }
        }
        return { tools, error: errors.length > 0 ? errors.join("; ") : null, message: errors.length > 0 ? "Failed to list the tools of some servers" : "Successfully retrieved tools" };
      },
    },
    {
      method: "POST",
      paths: ["/mcp-rest/tools/call"],
      summary: "Call a tool (<server>-<tool>) of an MCP server the key may use, as tools/call of /mcp does; answers the tool's result",
      body: RestCallBody,
      response: Type.Unknown({ description: "The tool's CallToolResult: content, isError, structuredContent" }),
      handle: async ({ request, body, caller }) => {
        const call = body as RestCallBody;
        const only = call.server_id === undefined ? undefined : serverName(call.server_id);
        try {
          return await withClientHeaders(request.headers, () => deps.gateway.callTool(request, caller, only, call.name, call.arguments ?? undefined));
        } catch (error) {
          throw restError(error);
        }
      },
    },
    {
      method: "POST",
      paths: ["/mcp-rest/test/tools/list"],
      summary: "Preview every tool of an MCP server before saving it (credentials as sent; else, for a server_id, the stored ones; else none)",
      access: "admin",
      body: NewMcpServerBody,
      response: RestToolList,
      handle: async ({ body }) => {
        const { name, entry } = await previewEntry(registry, body as McpServerFields);
        try {
          return { tools: (await previewTools(name, entry)).map(restTool(name)), error: null, message: "Successfully retrieved tools" };
        } catch (error) {
          return { tools: [], error: error instanceof Error ? error.message : String(error), message: "Failed to list the server's tools" };
        }
      },
    },
  ];
}
