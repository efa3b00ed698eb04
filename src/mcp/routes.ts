import { Type } from "@sinclair/typebox";
import { GatewayError } from "../canonical/errors.ts";
import { echo } from "../canonical/echo.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import type { McpGateway } from "./gateway.ts";

const PATHS = ["/mcp", "/mcp/:server"] as const;

/** Stateless Streamable HTTP has no server-initiated stream (GET) nor session to end (DELETE): the spec's answer is 405. */
const notAllowed = () =>
  new Response(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: this MCP endpoint is stateless; send JSON-RPC messages with POST." }, id: null }), {
    status: 405,
    headers: { "content-type": "application/json", allow: "POST" },
  });

/**
 * `/mcp` (every configured server) and `/mcp/<server>` (one), MCP's Streamable HTTP. Authenticated
 * like the /v1 routes; the SDK's transport reads the body itself, so the route declares none.
 */
export function mcpRoutes(gateway: McpGateway): RouteSpec[] {
  // Elysia hands a route without path parameters no params at all.
  const scope = (params: Record<string, string> | undefined): string | undefined => {
    const server = params?.server;
    if (server === undefined) return undefined;
    if (!gateway.has(server)) throw new GatewayError("caller.route_not_found", `No MCP server '${echo(server)}' is configured. POST /mcp serves every server the key may use.`);
    return server;
  };
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
        handle: ({ params }) => (scope(params), notAllowed()),
      }),
    ),
  ];
}
