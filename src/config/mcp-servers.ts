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
  if (server.auth_type === "oauth2") return { key: "auth_type", message: "OAuth2 credentials for MCP servers are not supported yet: use bearer_token, api_key, basic, authorization or token" };
  return undefined;
}
