/**
 * Request and response schemas of `/v1/mcp/server` and `/mcp-rest/*`, in LiteLLM's shapes. A
 * server's credentials (`credentials`: auth_value or OAuth2's client_id, client_secret, scopes; `static_headers`)
 * are write-only: no answer holds them.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { MCP_AUTH_TYPES, MCP_HEADER_NAME } from "../config/schema.ts";
import { unappliedFields, WarningsProperty } from "./unapplied-fields.ts";

const strict = { additionalProperties: false } as const;
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ format: "date-time" });

/** LiteLLM fields of a server Switchboard accepts and does not apply. */
export const MCP_UNAPPLIED = [
  "mcp_info", "allow_all_keys", "tool_name_to_display_name", "tool_name_to_description",
  "instructions", "available_on_public_internet", "spec_version", "timeout", "max_concurrent_requests", "source_url",
  // OAuth2's authorization code flow (per user, interactive): Switchboard runs the client credentials grant only.
  "authorization_url", "registration_url",
] as const;

const ServerId = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: "^[\\x21-\\x7e]+$",
  errorMessage: "expected 1 to 256 visible ASCII characters (no spaces), e.g. a uuid",
  description: "The server's id; leave it out to get a uuid.",
});
const ServerName = Type.String({
  pattern: "^[a-zA-Z0-9_-]{1,64}$",
  errorMessage: "expected 1 to 64 letters, digits, _ or - (the name prefixes the server's tools)",
  description: "The server's name, which prefixes its tools (<name>-<tool>).",
});
const Transport = Type.Union([Type.Literal("http"), Type.Literal("streamable_http"), Type.Literal("sse"), Type.Literal("stdio")], {
  description: "http (Streamable HTTP) or sse (LiteLLM's default when left out). stdio is refused: the management API starts no processes (stdio servers go in the config file).",
});
const AuthType = Type.Union(
  MCP_AUTH_TYPES.map((t) => Type.Literal(t)),
  {
    description:
      "How credentials.auth_value is sent: bearer_token, api_key, basic, authorization, token or none; oauth2 sends a bearer got from token_url with credentials.client_id and client_secret (the client credentials grant).",
  },
);
const Credentials = Type.Object(
  {
    auth_value: Type.Optional(Type.String({ minLength: 1, description: "The server's credential; stored encrypted, never returned." })),
    client_id: Type.Optional(Type.String({ minLength: 1, description: "auth_type oauth2: the OAuth2 client id." })),
    client_secret: Type.Optional(Type.String({ minLength: 1, description: "auth_type oauth2: the OAuth2 client secret; stored encrypted, never returned." })),
    scopes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "auth_type oauth2: the scopes requested." })),
  },
  { ...strict, description: "Write-only: stored encrypted (needs SWITCHBOARD_ENCRYPTION_KEY or LITELLM_SALT_KEY), never returned." },
);
const Tools = (description: string) => Type.Array(Type.String({ minLength: 1 }), { description });

const serverFields = {
  server_name: Type.Optional(ServerName),
  alias: Type.Optional(nullable(ServerName)),
  description: Type.Optional(nullable(Type.String())),
  url: Type.Optional(Type.String({ pattern: "^https?://", errorMessage: "expected a URL starting with http:// or https://", description: "The server's MCP endpoint." })),
  transport: Type.Optional(Transport),
  auth_type: Type.Optional(nullable(AuthType)),
  credentials: Type.Optional(nullable(Credentials)),
  token_url: Type.Optional(
    nullable(
      Type.String({
        pattern: "^https?://",
        errorMessage: "expected a URL starting with http:// or https://",
        description: "auth_type oauth2: the token endpoint (client authenticated with HTTP Basic), under the same SSRF rules as url.",
      }),
    ),
  ),
  static_headers: Type.Optional(nullable(Type.Record(Type.String(), Type.String(), { description: "Headers sent with every request to the server; write-only like credentials." }))),
  extra_headers: Type.Optional(
    nullable(
      Type.Array(Type.String({ pattern: MCP_HEADER_NAME, errorMessage: "expected a header name" }), {
        description:
          "Names of headers passed from the caller's request to /mcp on to this server, per request. Never the Switchboard key's headers (x-litellm-api-key, x-switchboard-api-key, api-key, x-api-key; Authorization when it carried the key), nor hop-by-hop or transport headers.",
      }),
    ),
  ),
  allowed_tools: Type.Optional(nullable(Tools("Only these tools (the server's own names) are listed and callable."))),
  disallowed_tools: Type.Optional(nullable(Tools("These tools (the server's own names) are never listed nor callable."))),
  allow_private_hosts: Type.Optional(
    nullable(
      Type.Array(Type.String({ minLength: 1 }), {
        description: "Hosts (a name or an IP, as in the url) the gateway may reach although they are loopback, private, link-local or metadata addresses, which are refused otherwise.",
      }),
    ),
  ),
  mcp_access_groups: Type.Optional(
    nullable(
      Type.Array(Type.String({ minLength: 1 }), {
        description: "Access groups the server is in: keys, teams and organisations whose object_permission.mcp_access_groups names one of them may use it.",
      }),
    ),
  ),
  // stdio fields: LiteLLM clients send them empty; anything in them is a 400 saying why.
  command: Type.Optional(Type.Unknown({ description: "stdio servers are refused from the management API." })),
  args: Type.Optional(Type.Unknown({ description: "stdio servers are refused from the management API." })),
  env: Type.Optional(Type.Unknown({ description: "stdio servers are refused from the management API." })),
  spec_path: Type.Optional(
    Type.Unknown({
      description:
        "An OpenAPI 3.x or Swagger 2.0 document by http(s) URL only (never a file path), fetched under the same SSRF rules as url: each operation becomes a tool; url, if given, is the API's base URL. Empty: none.",
    }),
  ),
  spec: Type.Optional(nullable(Type.Record(Type.String(), Type.Unknown(), { description: "An OpenAPI 3.x or Swagger 2.0 document inline (at most 20 MB), instead of spec_path." }))),
  ...unappliedFields(MCP_UNAPPLIED),
};

export const NewMcpServerBody = Type.Object({ server_id: Type.Optional(ServerId), ...serverFields }, strict);
export type NewMcpServerBody = Static<typeof NewMcpServerBody>;

export const UpdateMcpServerBody = Type.Object({ server_id: ServerId, ...serverFields }, strict);
export type UpdateMcpServerBody = Static<typeof UpdateMcpServerBody>;

export const McpServerObject = Type.Object(
  {
    server_id: Type.String(),
    server_name: Type.String(),
    alias: nullable(Type.String()),
    description: nullable(Type.String()),
    url: Type.Union([Type.String(), Type.Null()], { description: "The server's MCP endpoint (an OpenAPI server from the config file may have none: its document names its API)." }),
    transport: Type.String(),
    auth_type: nullable(Type.String()),
    token_url: nullable(Type.String({ description: "auth_type oauth2: the token endpoint." })),
    extra_headers: nullable(Type.Array(Type.String(), { description: "Headers passed from the caller's request on to the server." })),
    allowed_tools: nullable(Type.Array(Type.String())),
    disallowed_tools: nullable(Type.Array(Type.String())),
    allow_private_hosts: nullable(Type.Array(Type.String())),
    mcp_access_groups: Type.Array(Type.String(), { description: "Access groups the server is in (a config-file server's access_groups)." }),
    mcp_info: Type.Object({}, { additionalProperties: true }),
    /** Whether it was added at run time (false: the config file's, read-only). */
    db_server: Type.Boolean({ description: "true for servers added at run time; false for the config file's (read-only)." }),
    created_at: nullable(Time),
    updated_at: nullable(Time),
    ...WarningsProperty,
  },
  { description: "An MCP server, never with its credentials." },
);
export type McpServerJson = Static<typeof McpServerObject>;

export const McpServerList = Type.Array(McpServerObject);

const RestTool = Type.Object({
  name: Type.String({ description: "<server>-<tool>, as tools/list of /mcp names it." }),
  description: Type.Optional(Type.String()),
  inputSchema: Type.Unknown(),
  mcp_info: Type.Object({ server_name: Type.String() }),
});
export const RestToolList = Type.Object({
  tools: Type.Array(RestTool),
  error: nullable(Type.String()),
  message: Type.String(),
});

export const RestToolsQuery = Type.Object({ server_id: Type.Optional(Type.String({ minLength: 1, description: "The server's id (or name); absent: every server the key may use." })) });

export const RestCallBody = Type.Object(
  {
    name: Type.String({ minLength: 1, description: "<server>-<tool>, as /mcp-rest/tools/list names it." }),
    arguments: Type.Optional(nullable(Type.Record(Type.String(), Type.Unknown()))),
    server_id: Type.Optional(Type.String({ minLength: 1, description: "Limits the call to this server (id or name)." })),
  },
  strict,
);
export type RestCallBody = Static<typeof RestCallBody>;
