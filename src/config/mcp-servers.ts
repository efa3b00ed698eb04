import { asDict } from "./litellm-values.ts";

/** What a server may be named: its name prefixes its tools' names, which strict providers limit to these characters. */
export const MCP_SERVER_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** The keys only a stdio server has. */
const STDIO_KEYS = ["command", "args", "env"];

const NO_HTTP_CREDENTIAL = "a stdio server is sent no HTTP credential; give the process its credential in env (e.g. API_TOKEN: os.environ/NAME)";

/** Keys that mean nothing for a stdio server (no HTTP, no network, one process for every caller), and why. */
const NOT_FOR_STDIO: Record<string, string> = {
  url: "the gateway runs command, there is no url to reach; leave out url, or transport stdio for a server reached over HTTP",
  spec_path: "OpenAPI servers are HTTP APIs, a stdio server is an MCP server the gateway runs",
  spec: "OpenAPI servers are HTTP APIs, a stdio server is an MCP server the gateway runs",
  auth_type: NO_HTTP_CREDENTIAL,
  auth_value: NO_HTTP_CREDENTIAL,
  client_id: NO_HTTP_CREDENTIAL,
  client_secret: NO_HTTP_CREDENTIAL,
  token_url: NO_HTTP_CREDENTIAL,
  scopes: NO_HTTP_CREDENTIAL,
  static_headers: NO_HTTP_CREDENTIAL,
  extra_headers: "a stdio server is one process shared by every caller, with no HTTP request to carry a caller's headers",
  allow_private_hosts: "the gateway makes no network connection to a stdio server",
};

/** LiteLLM's reference to a header of the caller's request in a stdio server's env. */
const CALLER_HEADER = /\$\{X-[^}]*\}/i;

/** An environment variable's name, as a shell would take it. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether an `mcp_servers` entry is, or is meant to be, a stdio server (transport stdio, or one of its keys). */
export function looksStdio(server: Record<string, unknown>): boolean {
  return server.transport === "stdio" || STDIO_KEYS.some((key) => server[key] !== undefined);
}

/** A problem of a stdio server entry, at one of its keys (at one variable of env, `name`). */
export interface StdioProblem {
  key: string;
  name?: string;
  message: string;
}

/**
 * What is wrong with a stdio server entry, at which of its keys: its own keys without transport
 * stdio, no command, a key that applies only to servers reached over HTTP (`auth_type: none`
 * states nothing and passes), an env name no process could read. Shared by both config formats,
 * so a LiteLLM file and a Switchboard one get the same words.
 */
export function stdioProblems(server: Record<string, unknown>): StdioProblem[] {
  if (server.transport !== "stdio") {
    return STDIO_KEYS.filter((key) => server[key] !== undefined).map((key) => ({
      key,
      message: "is for stdio servers: add transport: stdio for a server the gateway runs as a command, or leave it out for a server reached at its url",
    }));
  }
  const problems: StdioProblem[] = [];
  if (server.command === undefined) problems.push({ key: "transport", message: "a stdio server needs command: the program the gateway runs (e.g. npx), with its args" });
  for (const [key, why] of Object.entries(NOT_FOR_STDIO)) {
    if (server[key] === undefined || (key === "auth_type" && server[key] === "none")) continue;
    problems.push({ key, message: `does not apply to a stdio server: ${why}` });
  }
  const env = asDict(server.env);
  for (const [name, value] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(name)) problems.push({ key: "env", message: `'${name}' is not an environment variable name (letters, digits and _, not starting with a digit)` });
    // LiteLLM fills `${X-HEADER}` from each caller's request; the value is a secret, so it is not echoed.
    if (typeof value === "string" && CALLER_HEADER.test(value)) {
      problems.push({ key: "env", name, message: "a caller's request header (LiteLLM's ${X-HEADER}) cannot reach a stdio server, whose one process serves every caller; give the value as os.environ/NAME" });
    }
  }
  return problems;
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
