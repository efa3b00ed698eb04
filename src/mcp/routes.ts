import { Type } from "@sinclair/typebox";
import { GatewayError } from "../canonical/errors.ts";
import { echo } from "../canonical/echo.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import { mcpErrorResponse } from "./errors.ts";
import type { McpGateway } from "./gateway.ts";

const PATHS = ["/mcp", "/mcp/:server"] as const;

/** Stateless Streamable HTTP has no server-initiated stream (GET) nor session to end (DELETE): the spec's answer is 405. */
const notAllowed = (sse: string) =>
  mcpErrorResponse(405, -32000, `Method not allowed: this MCP endpoint is stateless Streamable HTTP; send JSON-RPC messages with POST. For the older HTTP+SSE transport, GET ${sse}.`, { allow: "POST" });

/**
 * `/mcp` (every configured server) and `/mcp/<server>` (one): MCP's Streamable HTTP, and the older
 * HTTP+SSE transport at LiteLLM's paths, `GET /mcp/sse` opening a session whose messages are POSTed
 * to `/mcp/sse/messages?session_id=` (`/mcp/<server>/sse` and `/mcp/<server>/sse/messages` for one
 * server). Authenticated like the /v1 routes, every POST as its GET; the SDK's transport reads the
 * body itself, so the routes declare none.
 */
export function mcpRoutes(gateway: McpGateway): RouteSpec[] {
  // Elysia hands a route without path parameters no params at all.
  const scope = (params: Record<string, string> | undefined): string | undefined => {
    const server = params?.server;
    if (server === undefined) return undefined;
    if (!gateway.has(server)) throw new GatewayError("caller.route_not_found", `No MCP server '${echo(server)}' is configured. POST /mcp serves every server the key may use.`);
    return server;
  };
  const base = (only: string | undefined) => (only === undefined ? "/mcp" : `/mcp/${encodeURIComponent(only)}`);
  return [
    {
      method: "POST",
      paths: PATHS,
      summary: "MCP gateway (Streamable HTTP): tools of the configured MCP servers, named <server>-<tool>",
      response: Type.Unknown({ description: "A JSON-RPC response" }),
      handle: ({ request, params, caller }) => gateway.handle(request, caller, scope(params)),
    },
    ...(["GET", "DELETE"] as const).map(
      (method): RouteSpec => ({
        method,
        paths: PATHS,
        summary: "MCP gateway: 405 (stateless; no server-initiated stream or session)",
        response: Type.Unknown(),
        handle: ({ params }) => notAllowed(`${base(scope(params))}/sse`),
      }),
    ),
    {
      method: "GET",
      paths: ["/mcp/sse", "/mcp/:server/sse"],
      summary: "MCP gateway (HTTP+SSE, MCP 2024-11-05): opens a session; the first event, `endpoint`, names where to POST its messages",
      response: Type.Unknown(),
      streams: "`event: endpoint` (the messages URL with the session id), then `event: message` per JSON-RPC message",
      handle: ({ request, params, caller, server }) => {
        const only = scope(params);
        const response = gateway.openSession(request, caller, only, `${base(only)}/sse`, `${base(only)}/sse/messages`);
        // The stream outlives the server's idle timeout; its keep-alive comments are for proxies in between.
        if (response.ok) server?.timeout(request, 0);
        return response;
      },
    },
    {
      method: "POST",
      paths: ["/mcp/sse/messages", "/mcp/:server/sse/messages"],
      summary: "MCP gateway (HTTP+SSE): one JSON-RPC message to a session of the calling key; 202, answered on the session's stream",
      query: Type.Object({ session_id: Type.Optional(Type.String({ description: "The session, as the stream's endpoint event names it" })) }),
      response: Type.Unknown({ description: "202 Accepted, no body" }),
      handle: ({ request, params, caller }) => {
        const only = scope(params);
        return gateway.postToSession(request, caller, `${base(only)}/sse`, `${base(only)}/sse/messages`);
      },
    },
  ];
}
