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
