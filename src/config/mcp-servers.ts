import { asDict } from "./litellm-values.ts";

/** What a server may be named: its name prefixes its tools' names, which strict providers limit to these characters. */
export const MCP_SERVER_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Why an `mcp_servers` entry cannot be served yet, at which of its keys; undefined when it can.
 * Shared by both config formats, so a LiteLLM file and a Switchboard one get the same words.
 */
export function unsupportedMcpServer(entry: unknown): { key: string; message: string } | undefined {
  const server = asDict(entry);
  if (!server) return undefined;
  for (const key of ["command", "args", "env"]) {
    if (server[key] !== undefined) return { key, message: "stdio MCP servers are not supported yet: give the server's url (transport http or sse)" };
  }
  if (server.transport === "stdio") return { key: "transport", message: "stdio MCP servers are not supported yet: give the server's url (transport http or sse)" };
  return undefined;
}

/** What an oauth2 server lacks (client_id, client_secret, token_url), as one sentence; undefined when it is complete or not oauth2. */
export function missingOAuth2(server: Record<string, unknown>): string | undefined {
  if (server.auth_type !== "oauth2") return undefined;
  const missing = ["client_id", "client_secret", "token_url"].filter((key) => server[key] === undefined || server[key] === null || server[key] === "");
  return missing.length > 0 ? `auth_type oauth2 needs ${missing.join(", ")} (the client credentials grant; the authorization code flow is not supported)` : undefined;
}

/** Headers that carry the gateway's own key (authorization only when it did: see `passedHeaders`). */
const GATEWAY_KEY_HEADERS = ["x-litellm-api-key", "x-switchboard-api-key", "api-key", "x-api-key"];

/** Hop-by-hop headers (RFC 9110 7.6.1), and the ones the transport sets itself: forwarding them would break the exchange. */
const TRANSPORT_HEADERS = [
  "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
  "host", "content-length", "content-type", "content-encoding", "accept", "accept-encoding", "mcp-session-id", "mcp-protocol-version", "last-event-id",
];

/** Why `name` may not be an extra header; undefined when it may. */
export function refusedExtraHeader(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (GATEWAY_KEY_HEADERS.includes(lower)) return `'${name}' carries the caller's Switchboard key, which never leaves the gateway`;
  if (TRANSPORT_HEADERS.includes(lower)) return `'${name}' is a hop-by-hop or transport header the gateway sets itself`;
  return undefined;
}

/** The first refused name of a server's extra_headers, as one sentence; undefined when all may pass. */
export function extraHeadersProblem(names: unknown): string | undefined {
  if (!Array.isArray(names)) return undefined;
  for (const name of names) {
    const why = typeof name === "string" ? refusedExtraHeader(name) : undefined;
    if (why) return `${why}; name only headers the caller sends for the server (e.g. x-user-token)`;
  }
  return undefined;
}
