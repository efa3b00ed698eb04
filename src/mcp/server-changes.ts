/**
 * Adding, changing and removing MCP servers at run time (`/v1/mcp/server`): each server is checked
 * as a config entry would be (a name that can prefix tools, an http(s) url, a transport the gateway
 * speaks), its credentials are sealed, the store is written, and the registry swaps the running
 * gateway's servers before the answer leaves.
 */
import { echo } from "../canonical/echo.ts";
import { GatewayError } from "../canonical/errors.ts";
import { extraHeadersProblem, missingOAuth2 } from "../config/mcp-servers.ts";
import type { McpServerEntry } from "../config/schema.ts";
import { ENCRYPTION_KEY_VARS, SecretBoxError } from "../models/secret-box.ts";
import { type McpServerContent, StoreConflict, type StoredMcpServer } from "../store/types.ts";
import { openedSecrets, storedEntry, type McpRegistry, type McpSecrets } from "./registry.ts";
import { ssrfRefusal } from "./ssrf.ts";

/** A server as the management API takes it (the body schema checked the shape). */
export interface McpServerFields {
  server_id?: string;
  server_name?: string;
  alias?: string | null;
  description?: string | null;
  url?: string;
  transport?: string;
  auth_type?: string | null;
  credentials?: { auth_value?: string; client_id?: string; client_secret?: string; scopes?: string[] } | null;
  token_url?: string | null;
  static_headers?: Record<string, string> | null;
  extra_headers?: string[] | null;
  allowed_tools?: string[] | null;
  disallowed_tools?: string[] | null;
  allow_private_hosts?: string[] | null;
  mcp_access_groups?: string[] | null;
  command?: unknown;
  args?: unknown;
  env?: unknown;
  spec_path?: unknown;
  spec?: Record<string, unknown> | null;
}

export interface McpServerChange {
  server: StoredMcpServer;
}

const invalid = (message: string, param?: string) => new GatewayError("caller.invalid_request", message, param ? { param } : {});

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0) || (typeof value === "object" && Object.keys(value as object).length === 0);

/** Inline documents are bounded as fetched ones are (the gateway keeps and parses them). */
const MAX_SPEC_BYTES = 20_000_000;

/** The 400 for what the management API never accepts: stdio servers, a spec_path that is not an http(s) URL, a spec too large. */
function refuseUnsupported(body: McpServerFields): void {
  for (const key of ["command", "args", "env"] as const) {
    if (!isEmpty(body[key])) throw invalid(`${key}: stdio MCP servers are not accepted from the management API (it would run a command on the gateway's host); an administrator puts them in the config file's mcp_servers. Give the server's url with transport http or sse.`, key);
  }
  if (body.transport === "stdio") throw invalid("transport: stdio MCP servers are not accepted from the management API (it would run a command on the gateway's host); an administrator puts them in the config file's mcp_servers. Use http or sse.", "transport");
  if (!isEmpty(body.spec_path) && !(typeof body.spec_path === "string" && /^https?:\/\/[^/]/i.test(body.spec_path) && URL.canParse(body.spec_path))) {
    throw invalid("spec_path: the management API takes only an http(s) URL of the OpenAPI document (the gateway never reads its own files for an API caller); send the document inline as spec, or put a file path in the config file.", "spec_path");
  }
  if (!isEmpty(body.spec_path) && !isEmpty(body.spec)) throw invalid("spec: give spec_path or spec, not both.", "spec");
  if (!isEmpty(body.spec) && JSON.stringify(body.spec).length > MAX_SPEC_BYTES) throw invalid(`spec: the OpenAPI document is larger than ${MAX_SPEC_BYTES / 1_000_000} MB.`, "spec");
}

/** Whether the settings describe an OpenAPI server (its tools come from a document; url, if any, is the API's base URL). */
const isOpenApi = (settings: Record<string, unknown>) => typeof settings.spec_path === "string" || (typeof settings.spec === "object" && settings.spec !== null);

/** The credential fields of `credentials`, each kept in the sealed secrets. */
const CREDENTIAL_KEYS = ["auth_value", "client_id", "client_secret", "scopes"] as const;

/** Credentials sent replace the stored ones as a whole (a field left out is removed), as LiteLLM's `credentials` does. */
function withCredentials(secrets: McpSecrets, credentials: McpServerFields["credentials"]): McpSecrets {
  if (credentials === undefined) return secrets;
  const out: McpSecrets = { ...secrets };
  for (const key of CREDENTIAL_KEYS) delete out[key];
  if (credentials === null) return out;
  if (credentials.auth_value !== undefined) out.auth_value = credentials.auth_value;
  if (credentials.client_id !== undefined) out.client_id = credentials.client_id;
  if (credentials.client_secret !== undefined) out.client_secret = credentials.client_secret;
  if (credentials.scopes !== undefined) out.scopes = credentials.scopes;
  return out;
}

/** The 400 for an oauth2 server lacking client_id, client_secret or token_url. */
function checkOAuth2(authType: unknown, tokenUrl: unknown, secrets: McpSecrets): void {
  const missing = missingOAuth2({ auth_type: authType, token_url: tokenUrl, client_id: secrets.client_id, client_secret: secrets.client_secret });
  if (missing) throw invalid(`${missing}: send token_url and credentials.client_id and client_secret.`, "auth_type");
}

/** Two server names that could share a tool name (`github` and `github-enterprise`: `github-enterprise-x`). */
const clash = (a: string, b: string) => a === b || a.startsWith(`${b}-`) || b.startsWith(`${a}-`);

/** The names served now, but `except`'s (the server being changed). */
function takenNames(registry: McpRegistry, except?: string): string[] {
  return [...Object.keys(registry.deps.config), ...registry.stored().filter((s) => s.serverId !== except).map((s) => s.serverName)];
}

/** What a server would be after `body` (merged over `current` for an update): settings and credentials, checked. */
function merged(body: McpServerFields, current: { settings: Record<string, unknown>; secrets: McpSecrets } | undefined) {
  refuseUnsupported(body);
  const settings: Record<string, unknown> = { ...current?.settings };
  const keys = ["server_name", "alias", "description", "url", "auth_type", "token_url", "extra_headers", "allowed_tools", "disallowed_tools", "allow_private_hosts", "mcp_access_groups"] as const;
  for (const key of keys) {
    const value = body[key];
    if (value === null) delete settings[key];
    else if (value !== undefined) settings[key] = value;
  }
  // One document at a time: sending one kind replaces the other; "" and {} (LiteLLM's empty fields) are none.
  if (body.spec_path !== undefined || body.spec !== undefined) {
    delete settings.spec_path;
    delete settings.spec;
    if (!isEmpty(body.spec_path)) settings.spec_path = body.spec_path;
    if (!isEmpty(body.spec)) settings.spec = body.spec;
  }
  if (body.transport !== undefined) settings.transport = body.transport === "sse" ? "sse" : "http";
  // LiteLLM's default transport when none is given.
  settings.transport ??= "sse";
  const secrets = withCredentials({ ...current?.secrets }, body.credentials);
  if (body.static_headers === null) delete secrets.static_headers;
  else if (body.static_headers !== undefined) secrets.static_headers = body.static_headers;
  const name = (settings.alias ?? settings.server_name) as string | undefined;
  if (name === undefined) throw invalid("server_name is required: it names the server and prefixes its tools (<server_name>-<tool>).", "server_name");
  if (typeof settings.url !== "string" && !isOpenApi(settings)) throw invalid("url is required: the server's MCP endpoint, e.g. https://mcp.example.com/mcp (or spec_path / spec for an OpenAPI-described API).", "url");
  if (secrets.auth_value !== undefined && (settings.auth_type === undefined || settings.auth_type === "none")) {
    throw invalid("credentials.auth_value needs an auth_type saying how to send it: bearer_token, api_key, basic, authorization or token.", "auth_type");
  }
  const passed = extraHeadersProblem(settings.extra_headers);
  if (passed) throw invalid(`extra_headers: ${passed}.`, "extra_headers");
  checkOAuth2(settings.auth_type, settings.token_url, secrets);
  return { name, settings, secrets };
}

/** The content the store keeps: settings, and credentials sealed to the server's id. */
async function sealed(registry: McpRegistry, serverId: string, name: string, settings: Record<string, unknown>, secrets: McpSecrets): Promise<McpServerContent> {
  const content: McpServerContent = { serverName: name, settings };
  if (Object.keys(secrets).length === 0) return content;
  const param = secrets.client_secret !== undefined ? "credentials.client_secret" : secrets.auth_value !== undefined ? "credentials.auth_value" : "static_headers";
  const box = registry.deps.secrets;
  if (!box) {
    throw invalid(
      `${param} is a secret; Switchboard stores secrets only encrypted. Set ${ENCRYPTION_KEY_VARS[0]} (or LiteLLM's ${ENCRYPTION_KEY_VARS[1]}) on the gateway to a random value.`,
      param,
    );
  }
  try {
    return { ...content, sealedSecrets: await box.seal(JSON.stringify(secrets), `mcp:${serverId}`) };
  } catch (error) {
    if (error instanceof SecretBoxError) throw invalid(`${param} cannot be stored: ${error.message}.`, param);
    throw error;
  }
}

/** The 400 for a url (or token_url) the gateway may not reach (nothing is connected to). */
async function checkReachable(url: string, allowed: unknown, param = "url"): Promise<void> {
  const why = await ssrfRefusal(url, Array.isArray(allowed) ? (allowed as string[]) : []);
  if (why !== undefined) throw invalid(`${param}: ${why}.`, param);
}

/** checkReachable for a server's url, spec_path and token_url, those it has. */
async function checkUrls(settings: Record<string, unknown>): Promise<void> {
  if (typeof settings.url === "string") await checkReachable(settings.url, settings.allow_private_hosts);
  if (typeof settings.spec_path === "string") await checkReachable(settings.spec_path, settings.allow_private_hosts, "spec_path");
  if (typeof settings.token_url === "string") await checkReachable(settings.token_url, settings.allow_private_hosts, "token_url");
}

function checkName(registry: McpRegistry, name: string, serverId?: string): void {
  if (registry.isFixed(name)) throw invalid(`MCP server '${echo(name)}' comes from the config file, which is read-only at run time; choose another server_name.`, "server_name");
  const other = takenNames(registry, serverId).find((taken) => clash(taken, name));
  if (other !== undefined) {
    throw invalid(`server_name '${echo(name)}' clashes with MCP server '${echo(other)}': tool names are <server>-<tool>, so no name may equal another or be it followed by '-'.`, "server_name");
  }
}

/** The 400 for a write to a server of the config file, or the 404 for an id nobody has. */
export function notStored(registry: McpRegistry, serverId: string, verb: string): GatewayError {
  if (registry.isFixed(serverId)) {
    return invalid(`MCP server '${echo(serverId)}' comes from the config file, which is read-only at run time: ${verb} it in the config file and restart, or add a server with POST /v1/mcp/server and manage that one.`, "server_id");
  }
  return new GatewayError("caller.route_not_found", `No MCP server with id '${echo(serverId)}'. GET /v1/mcp/server lists them.`, { wireCode: "not_found", param: "server_id" });
}

/** `POST /v1/mcp/server`: stores the server and serves it at once. */
export async function addMcpServer(registry: McpRegistry, body: McpServerFields): Promise<StoredMcpServer> {
  const serverId = body.server_id ?? crypto.randomUUID();
  if (registry.isFixed(serverId)) throw invalid(`Server id '${echo(serverId)}' is the name of a config-file server; choose another server_id or leave it out.`, "server_id");
  const { name, settings, secrets } = merged(body, undefined);
  checkName(registry, name);
  await checkUrls(settings);
  const content = await sealed(registry, serverId, name, settings, secrets);
  try {
    const inserted = await registry.deps.store.insert({ serverId, ...content });
    await registry.reload();
    return inserted;
  } catch (error) {
    if (error instanceof StoreConflict) throw invalid(`An MCP server with id '${echo(serverId)}' or name '${echo(name)}' already exists.`, "server_id");
    throw error;
  }
}

/** A stored server with its credentials opened, or the 400 saying why they cannot be. */
async function opened(registry: McpRegistry, server: StoredMcpServer): Promise<McpSecrets> {
  try {
    return await openedSecrets(server, registry.deps.secrets);
  } catch (error) {
    throw invalid(`MCP server '${echo(server.serverId)}' cannot be used here: ${error instanceof Error ? error.message : "its credentials cannot be read"}.`);
  }
}

/** `PUT /v1/mcp/server`: changes a stored server (the fields sent; `null` removes one) and serves the result at once. */
export async function updateMcpServer(registry: McpRegistry, body: McpServerFields & { server_id: string }): Promise<StoredMcpServer> {
  const current = await registry.deps.store.byId(body.server_id);
  if (!current) throw notStored(registry, body.server_id, "change");
  const { name, settings, secrets } = merged(body, { settings: current.settings, secrets: await opened(registry, current) });
  checkName(registry, name, current.serverId);
  await checkUrls(settings);
  const content = await sealed(registry, current.serverId, name, settings, secrets);
  let replaced: StoredMcpServer | undefined;
  try {
    replaced = await registry.deps.store.replace(current.serverId, content);
  } catch (error) {
    if (error instanceof StoreConflict) throw invalid(`An MCP server named '${echo(name)}' already exists.`, "server_name");
    throw error;
  }
  if (!replaced) throw notStored(registry, body.server_id, "change");
  await registry.reload();
  return replaced;
}

/** `DELETE /v1/mcp/server/{server_id}`: the server stops being served at once. */
export async function deleteMcpServer(registry: McpRegistry, serverId: string): Promise<void> {
  if (!(await registry.deps.store.delete(serverId))) throw notStored(registry, serverId, "remove");
  await registry.reload();
}

/**
 * What `/mcp-rest/test/tools/list` connects to: the server as sent, with credentials sent in the
 * body, else (given the `server_id` of a server the gateway has, at the same origin) that server's
 * stored ones, which no answer returns and so no edit form can resend; else none.
 */
export async function previewEntry(registry: McpRegistry, body: McpServerFields): Promise<{ name: string; entry: McpServerEntry }> {
  let base: { name: string; entry: McpServerEntry; allowed: string[] } | undefined;
  if (body.server_id !== undefined) {
    const stored = await registry.deps.store.byId(body.server_id);
    if (stored) base = { name: stored.serverName, entry: storedEntry(stored, await opened(registry, stored)), allowed: (stored.settings.allow_private_hosts as string[] | undefined) ?? [] };
    else if (registry.isFixed(body.server_id)) {
      // The config file's url was written by the operator: its host is allowed.
      const entry = registry.deps.config[body.server_id] as McpServerEntry;
      if (entry.transport === "stdio") {
        throw invalid(
          `server_id: MCP server '${echo(body.server_id)}' is a stdio server of the config file; it is not previewed (that would start a second copy of its command). GET /mcp-rest/tools/list?server_id=${echo(body.server_id)} lists the tools it serves.`,
          "server_id",
        );
      }
      const hosts = entry.url === undefined ? [] : [new URL(entry.url).hostname.replace(/^\[(.*)\]$/, "$1")];
      base = { name: body.server_id, entry, allowed: [...hosts, ...(entry.allow_private_hosts ?? [])] };
    } else throw notStored(registry, body.server_id, "preview");
  }
  refuseUnsupported(body);
  const name = body.alias ?? body.server_name ?? base?.name;
  if (name === undefined || name === null) throw invalid("server_name is required: it prefixes the tools' names (<server_name>-<tool>).", "server_name");
  const sentSpec = !isEmpty(body.spec_path) || !isEmpty(body.spec);
  // A known OpenAPI server is previewed as it is registered (its document, its naming rule, its credentials).
  if (base && !sentSpec && (base.entry.spec_path !== undefined || base.entry.spec !== undefined)) {
    if (body.url != null || body.credentials != null || body.static_headers != null) {
      throw invalid("A registered OpenAPI server is previewed as it is registered: leave out url, credentials and static_headers, or send its spec_path or spec.", "server_id");
    }
    return { name, entry: base.entry };
  }
  const url = body.url ?? (sentSpec ? undefined : base?.entry.url);
  if (url === undefined && !sentSpec) throw invalid("url is required: the server's MCP endpoint, e.g. https://mcp.example.com/mcp (or spec_path / spec for an OpenAPI-described API).", "url");
  const allowed = body.allow_private_hosts ?? base?.allowed ?? [];
  if (url !== undefined) await checkReachable(url, allowed);
  // Left out: a known server's own (the config file's default is http), else LiteLLM's default, sse.
  const transport = body.transport === undefined ? (base ? (base.entry.transport ?? "http") : "sse") : body.transport === "sse" ? "sse" : "http";
  const entry: McpServerEntry = { transport, allow_private_hosts: allowed };
  if (url !== undefined) entry.url = url;
  if (typeof body.spec_path === "string" && body.spec_path !== "") {
    await checkReachable(body.spec_path, allowed, "spec_path");
    entry.spec_path = body.spec_path;
  } else if (!isEmpty(body.spec)) entry.spec = body.spec as NonNullable<McpServerEntry["spec"]>;
  const authType = body.auth_type === undefined ? base?.entry.auth_type : body.auth_type;
  if (authType) entry.auth_type = authType as NonNullable<McpServerEntry["auth_type"]>;
  const tokenUrl = body.token_url === undefined ? base?.entry.token_url : body.token_url;
  if (tokenUrl) {
    await checkReachable(tokenUrl, allowed, "token_url");
    entry.token_url = tokenUrl;
  }
  const explicit = (body.credentials !== undefined && body.credentials !== null) || (body.static_headers !== undefined && body.static_headers !== null);
  if (explicit) {
    Object.assign(entry, withCredentials({}, body.credentials));
    if (body.static_headers) entry.static_headers = body.static_headers;
  } else if (base && (base.entry.auth_value !== undefined || base.entry.client_secret !== undefined || base.entry.static_headers !== undefined)) {
    // A stored credential goes only where it was meant to go: the stored server's own origin, and its client secret only to its own token_url.
    const own = base.entry.url === undefined ? undefined : new URL(base.entry.url).origin;
    if (url === undefined || new URL(url).origin !== own) {
      throw invalid(`url: the stored credentials of MCP server '${echo(body.server_id ?? "")}' are sent only to its own origin (${own ?? "none"}); send credentials to preview another one.`, "url");
    }
    if (base.entry.client_secret !== undefined && tokenUrl !== base.entry.token_url) {
      throw invalid(`token_url: the stored client secret of MCP server '${echo(body.server_id ?? "")}' is sent only to its own token_url; send credentials to preview another one.`, "token_url");
    }
    for (const key of CREDENTIAL_KEYS) if (base.entry[key] !== undefined) Object.assign(entry, { [key]: base.entry[key] });
    if (base.entry.static_headers !== undefined) entry.static_headers = base.entry.static_headers;
  }
  checkOAuth2(entry.auth_type, entry.token_url, entry);
  return { name, entry };
}
